"""Hand-checked tests of the reference backtester (and of compare.py).

    cd /work/main && python3 -m unittest tests/ref/test_refbt.py

Every expected number below is worked out by hand in the comments (tiny
series), not taken from a run of refbt.py.
"""

import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import refbt  # noqa: E402
import compare  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "e2e")


def approx_list(test, got, want, places=12):
    test.assertEqual(len(got), len(want))
    for g, w in zip(got, want):
        if w is None:
            test.assertIsNone(g)
        else:
            test.assertIsNotNone(g)
            test.assertAlmostEqual(g, w, places=places)


class Indicators(unittest.TestCase):
    def test_sma(self):
        approx_list(self, refbt.ind_sma([1, 2, 3, 4, 5, 6], 3), [None, None, 2, 3, 4, 5])

    def test_ema(self):
        # alpha = 2/(3+1) = 0.5; seed at bar 2 = (2+4+6)/3 = 4
        # bar3: .5*8 + .5*4 = 6; bar4: .5*4 + .5*6 = 5; bar5: .5*2 + .5*5 = 3.5
        approx_list(self, refbt.ind_ema([2, 4, 6, 8, 4, 2], 3), [None, None, 4, 6, 5, 3.5])

    def test_rsi(self):
        # closes 10 11 10 12 11 13: changes +1 -1 +2 -1 +2
        # bar3: avg gain (1+0+2)/3 = 1, avg loss (0+1+0)/3 = 1/3, rs 3 -> 75
        # bar4: gain (1*2+0)/3 = 2/3, loss (1/3*2+1)/3 = 5/9, rs 1.2 -> 100-100/2.2
        # bar5: gain (2/3*2+2)/3 = 10/9, loss (5/9*2)/3 = 10/27, rs 3 -> 75
        approx_list(self, refbt.ind_rsi([10, 11, 10, 12, 11, 13], 3),
                    [None, None, None, 75.0, 100 - 100 / 2.2, 75.0])

    def test_rsi_no_loss(self):
        approx_list(self, refbt.ind_rsi([1, 2, 3, 4], 2), [None, None, 100.0, 100.0])
        approx_list(self, refbt.ind_rsi([5, 5, 5], 2), [None, None, 50.0])

    def test_atr(self):
        h = [10, 11, 10.5, 13]
        l = [8, 9, 7, 12]
        c = [9, 10, 8, 12.5]
        # TR1 = max(2, |11-9|, |9-9|) = 2; TR2 = max(3.5, |10.5-10|, |7-10|) = 3.5
        # TR3 = max(1, |13-8|, |12-8|) = 5
        # ATR2 = (2 + 3.5)/2 = 2.75; ATR3 = (2.75*1 + 5)/2 = 3.875
        approx_list(self, refbt.ind_atr(h, l, c, 2), [None, None, 2.75, 3.875])

    def test_bbands(self):
        # window 1,2,3: mean 2, population variance (1+0+1)/3
        sd = math.sqrt(2 / 3)
        x = [1, 2, 3]
        approx_list(self, refbt.ind_bbands(x, 3, 2.0, "middle"), [None, None, 2])
        approx_list(self, refbt.ind_bbands(x, 3, 2.0, "upper"), [None, None, 2 + 2 * sd])
        approx_list(self, refbt.ind_bbands(x, 3, 2.0, "lower"), [None, None, 2 - 2 * sd])

    def test_highest_lowest_roc(self):
        x = [10, 12, 9, 15]
        approx_list(self, refbt.ind_window(x, 2, max), [None, 12, 12, 15])
        approx_list(self, refbt.ind_window(x, 2, min), [None, 10, 9, 9])
        # roc 2: 9/10 - 1 = -0.1; 15/12 - 1 = 0.25
        approx_list(self, refbt.ind_roc(x, 2), [None, None, -0.1, 0.25])

    def test_rvol(self):
        # two log returns: sample stdev = |a - b| / sqrt(2)
        a, b = math.log(1.1), math.log(0.9)
        approx_list(self, refbt.ind_rvol([100, 110, 99], 2, 252),
                    [None, None, abs(a - b) / math.sqrt(2) * math.sqrt(252)])

    def test_macd(self):
        x = [1, 3, 2, 5, 4, 6]
        # ema2 (alpha 2/3): seed bar1 2; bar2 2; bar3 4; bar4 4; bar5 16/3
        # ema3 (alpha 1/2): seed bar2 2; bar3 3.5; bar4 3.75; bar5 4.875
        # macd: bar2 0, bar3 .5, bar4 .25, bar5 16/3 - 4.875 = 11/24
        # signal (2, alpha 2/3): seed bar3 (0 + .5)/2 = .25; bar4 .25; bar5 2/3*11/24 + 1/3*.25 = 7/18
        approx_list(self, refbt.ind_macd(x, 2, 3, 2, "macd"), [None, None, 0, .5, .25, 11 / 24])
        approx_list(self, refbt.ind_macd(x, 2, 3, 2, "signal"), [None, None, None, .25, .25, 7 / 18])
        approx_list(self, refbt.ind_macd(x, 2, 3, 2, "hist"), [None, None, None, .25, 0, 5 / 72])

    def test_lookbacks(self):
        s = refbt.parse_strategy({
            "name": "x", "assets": ["A"],
            "entry": {"any": [{"gt": [{"ind": "macd", "line": "signal"}, 0]},
                              {"gt": [{"ind": "rsi", "period": 14}, 0]}]},
            "exit": {"gt": [{"ind": "sma", "period": 20}, 0]}})
        self.assertEqual(s["L"], 25 + 8)          # 26 - 1 + 9 - 1 beats 14 and 19
        s = refbt.parse_strategy({"name": "x", "assets": ["A"], "entry": {
            "gt": [{"ind": "highest", "period": 40, "of": "high"}, {"ind": "roc", "period": 39}]}})
        self.assertEqual(s["L"], 39)              # highest 40 -> 39, roc 39 -> 39
        s = refbt.parse_strategy({"name": "x", "assets": ["A"],
                                  "entry": {"gt": [{"price": "close"}, 1]}})
        self.assertEqual(s["L"], 0)


class Cross(unittest.TestCase):
    def test_cross_semantics(self):
        a = [1, 2, 2, 3, 1, 1, 2]
        b = [2] * 7
        above = [refbt.Evaluator.cross(a, b, t, True) for t in range(7)]
        below = [refbt.Evaluator.cross(a, b, t, False) for t in range(7)]
        # bar3: 3 > 2 and the latest unequal earlier bar (bar0) was below
        self.assertEqual(above, [False, False, False, True, False, False, False])
        # bar4: 1 < 2 and bar3 was above; bar5: bar4 was already below
        self.assertEqual(below, [False, False, False, False, True, False, False])

    def test_cross_undefined(self):
        # looking back reaches an undefined value before any a != b: false
        self.assertFalse(refbt.Evaluator.cross([None, 2, 3], [2, 2, 2], 2, True))
        self.assertTrue(refbt.Evaluator.cross([1, 2, 3], [2, 2, 2], 2, True))
        self.assertFalse(refbt.Evaluator.cross([1, 2, 3], [None, None, 2], 2, True))


class Metrics(unittest.TestCase):
    def test_curve(self):
        E = [100.0, 110.0, 99.0, 120.0]
        m = refbt.curve_metrics(E, 100.0, 252)
        r = [0.1, -0.1, 120 / 99 - 1]
        mean = sum(r) / 3
        sd = math.sqrt(sum((x - mean) ** 2 for x in r) / 2)
        self.assertAlmostEqual(m["total_return"], 0.2)
        self.assertAlmostEqual(m["cagr"], 1.2 ** (252 / 3) - 1, places=6)
        self.assertAlmostEqual(m["volatility"], sd * math.sqrt(252))
        self.assertAlmostEqual(m["sharpe"], mean / sd * math.sqrt(252))
        self.assertAlmostEqual(m["sortino"], mean / math.sqrt(0.01 / 3) * math.sqrt(252))
        self.assertAlmostEqual(m["max_drawdown"], 99 / 110 - 1)
        self.assertAlmostEqual(m["calmar"], m["cagr"] / abs(99 / 110 - 1))

    def test_nulls(self):
        m = refbt.curve_metrics([100.0], 100.0, 252)
        self.assertEqual((m["cagr"], m["volatility"], m["sharpe"], m["sortino"], m["calmar"]),
                         (None, None, None, None, None))
        m = refbt.curve_metrics([100.0, 100.0, 100.0], 100.0, 252)
        self.assertEqual(m["volatility"], 0.0)
        self.assertIsNone(m["sharpe"])
        self.assertIsNone(m["sortino"])
        self.assertIsNone(m["calmar"])       # max_drawdown 0
        # drawdown measured against the initial capital too
        m = refbt.curve_metrics([90.0, 95.0], 100.0, 252)
        self.assertAlmostEqual(m["max_drawdown"], -0.1)

    def test_trades(self):
        t = refbt.trade_metrics([{"pnl": 10.0}, {"pnl": 0.0}, {"pnl": -5.0}, {"pnl": 20.0}])
        self.assertEqual(t["trades"], 4)
        self.assertEqual(t["win_rate"], 0.5)        # pnl 0 counts in the denominator only
        self.assertEqual(t["profit_factor"], 6.0)
        t = refbt.trade_metrics([{"pnl": 10.0}])
        self.assertIsNone(t["profit_factor"])
        self.assertIsNone(refbt.trade_metrics([])["win_rate"])


class RunBase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def csv(self, sym, rows, header="date,open,high,low,close,volume"):
        with open(os.path.join(self.dir, sym.replace("/", "-") + ".csv"), "w") as f:
            f.write(header + "\n")
            for r in rows:
                f.write(",".join(str(x) for x in r) + "\n")

    def run_cli(self, strategy, d_from, d_to, status=0):
        path = os.path.join(self.dir, "strategy.json")
        with open(path, "w") as f:
            f.write(strategy if isinstance(strategy, str) else json.dumps(strategy))
        p = subprocess.run([sys.executable, os.path.join(HERE, "refbt.py"), "--strategy", path,
                            "--from", d_from, "--to", d_to, "--data-dir", self.dir],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, status, p.stderr)
        return json.loads(p.stdout) if status == 0 else p.stderr


DAYS = ["2021-01-04", "2021-01-05", "2021-01-06", "2021-01-07", "2021-01-08", "2021-01-11"]


class SingleTrade(RunBase):
    def test_slippage_commissions_cash_cap(self):
        self.csv("TST", [
            (DAYS[0], 100, 101, 99, 100, 1),
            (DAYS[1], 100, 102, 99, 101, 1),    # entry true: qty floor(10000/101) = 99
            (DAYS[2], 102, 104, 101, 103, 1),   # buy fill 102*1.001 = 102.102
            (DAYS[3], 104, 105, 103, 104.5, 1),  # exit true (close > 104)
            (DAYS[4], 105, 106, 104, 105, 1),   # sell 105*0.999 = 104.895; entry again
            (DAYS[5], 104, 105, 103.5, 104.5, 1),  # buy fill 104.104; last bar
        ])
        r = self.run_cli({
            "name": "one trade", "assets": ["TST"], "benchmark": None, "initial_capital": 10000,
            "costs": {"commission_bps": 5, "commission_per_trade": 1, "slippage_bps": 10},
            "entry": {"gt": [{"price": "close"}, 100.5]},
            "exit": {"gt": [{"price": "close"}, 104]}}, DAYS[0], DAYS[5])
        # 99 * 102.102 + 1 + 0.05% = 10114.15 > 10000: cash cap
        # q = floor((10000 - 1) / (102.102 * 1.0005)) = floor(97.88) = 97
        # cost = 97*102.102 + 1 + 97*102.102*0.0005 = 9903.894 + 5.951947 = 9909.845947
        # proceeds = 97*104.895 - (1 + 97*104.895*0.0005) = 10174.815 - 6.0874075
        self.assertEqual(len(r["trades"]), 1)
        t = r["trades"][0]
        self.assertEqual((t["entry_time"], t["exit_time"], t["exit_reason"], t["qty"]),
                         (DAYS[2], DAYS[4], "signal", 97))
        self.assertAlmostEqual(t["entry_price"], 102.102, places=9)
        self.assertAlmostEqual(t["exit_price"], 104.895, places=9)
        self.assertAlmostEqual(t["pnl"], 10168.7275925 - 9909.845947, places=6)
        cash3 = 10000 - 9909.845947
        cash5 = cash3 + 10168.7275925
        # day 6: q = floor(cash5 / 105) = 97, cost 97*104.104 + 1 + 0.05% = 10104.137044
        want = [10000, 10000, cash3 + 97 * 103, cash3 + 97 * 104.5, cash5,
                cash5 - 10104.137044 + 97 * 104.5]
        self.assertEqual([e[0] for e in r["equity"]], DAYS)
        for (_, g), w in zip(r["equity"], want):
            self.assertAlmostEqual(g, w, places=6)
        op = r["open_positions"]
        self.assertEqual([(o["symbol"], o["entry_time"], o["qty"]) for o in op], [("TST", DAYS[5], 97)])
        self.assertAlmostEqual(op[0]["entry_price"], 104.104, places=9)
        m = r["metrics"]
        self.assertAlmostEqual(m["total_return"], want[-1] / 10000 - 1)
        self.assertEqual(m["exposure"], 0.5)      # long at the close of days 3, 4 and 6
        self.assertEqual((m["trades"], m["win_rate"], m["profit_factor"]), (1, 1.0, None))
        self.assertIsNone(r["benchmark"])
        self.assertNotIn("benchmark_equity", r)
        self.assertEqual(r["bars"], 6)

    def test_stop_target_gaps(self):
        self.csv("TST", [
            (DAYS[0], 100, 100, 100, 100, 1),   # entry: q = 100
            (DAYS[1], 100, 101, 94, 96, 1),     # fill 100, stop 95 hit on the entry bar -> 95
            (DAYS[2], 96, 97, 95.5, 97, 1),     # fill 96 x 98, stop 91.2, target 105.6
            (DAYS[3], 110, 112, 109, 111, 1),   # gap over target: sold at the open 110
            (DAYS[4], 111, 125, 100, 112, 1),   # fill 111 x 97: stop 105.45 and target 122.1: stop wins
            (DAYS[5], 80, 81, 79, 80, 1),       # fill 80 x 92, stays open
        ])
        r = self.run_cli({
            "name": "risk", "assets": ["TST"], "benchmark": None, "initial_capital": 10000,
            "entry": {"gt": [{"price": "close"}, 0]},
            "risk": {"stop_loss_pct": 5, "take_profit_pct": 10}}, DAYS[0], DAYS[5])
        got = [(t["entry_time"], t["entry_price"], t["qty"], t["exit_time"], t["exit_reason"])
               for t in r["trades"]]
        self.assertEqual(got, [
            (DAYS[1], 100, 100, DAYS[1], "stop_loss"),
            (DAYS[2], 96, 98, DAYS[3], "take_profit"),
            (DAYS[4], 111, 97, DAYS[4], "stop_loss"),
        ])
        approx_list(self, [t["exit_price"] for t in r["trades"]], [95, 110, 105.45], 9)
        approx_list(self, [t["pnl"] for t in r["trades"]], [-500, 1372, 97 * 105.45 - 97 * 111], 9)
        self.assertEqual(r["open_positions"][0]["qty"], 92)
        self.assertAlmostEqual(r["final_equity"], 10333.65, places=9)
        self.assertAlmostEqual(r["metrics"]["profit_factor"], 1372 / (500 + 97 * 5.55), places=12)

    def test_gap_down_below_stop(self):
        self.csv("TST", [
            (DAYS[0], 100, 100, 100, 100, 1),
            (DAYS[1], 100, 100, 99, 99, 1),     # fill 100, stop 95
            (DAYS[2], 90, 91, 89, 90, 1),       # opens below the stop: sold at 90
        ])
        r = self.run_cli({"name": "gap", "assets": ["TST"], "benchmark": None,
                          "initial_capital": 1000, "entry": {"gt": [{"price": "close"}, 99.5]},
                          "risk": {"stop_loss_pct": 5}}, DAYS[0], DAYS[2])
        t = r["trades"][0]
        self.assertEqual((t["exit_price"], t["exit_reason"], t["pnl"]), (90, "stop_loss", -100))

    def test_crypto_rounding_and_size(self):
        self.csv("COIN", [(DAYS[0], 3, 3, 3, 3, 1, 9), (DAYS[1], 3, 3, 3, 3, 1, 9)],
                 header="date,open,high,low,close,volume,market_cap")
        r = self.run_cli({"name": "c", "asset_class": "crypto", "assets": ["COIN"],
                          "benchmark": None, "initial_capital": 1000,
                          "entry": {"gt": [{"price": "close"}, 0]},
                          "risk": {"position_size_pct": 50}}, DAYS[0], DAYS[1])
        # 0.5 * 1000 / 3 = 166.666... -> 166.66666666
        self.assertEqual(r["open_positions"][0]["qty"], 166.66666666)


class Portfolio(RunBase):
    def test_sleeves_benchmark_carry_forward(self):
        never = {"gt": [{"price": "close"}, 1e9]}
        self.csv("X", [(DAYS[1], 10, 10, 10, 10, 1), (DAYS[2], 11, 11, 11, 11, 1),
                       (DAYS[3], 12, 12, 12, 12, 1)])
        self.csv("Y", [(DAYS[1], 20, 20, 20, 20, 1), (DAYS[3], 18, 18, 18, 18, 1),
                       (DAYS[4], 19, 19, 19, 19, 1)])
        self.csv("B", [(DAYS[0], 50, 50, 50, 50, 1), (DAYS[2], 55, 55, 55, 55, 1)])
        r = self.run_cli({"name": "p", "assets": ["X", "Y"], "benchmark": "B",
                          "initial_capital": 1000, "entry": never}, DAYS[1], DAYS[4])
        self.assertEqual(r["bars"], 4)
        self.assertEqual([e[0] for e in r["equity"]], DAYS[1:5])
        # base: the last close at or before t0 (day 0, 50); then carried forward
        self.assertEqual([v for _, v in r["benchmark_equity"]], [1000.0, 1100.0, 1100.0, 1100.0])
        self.assertFalse(r["benchmark"]["flat"])

    def test_exposure_any_sleeve_with_carry(self):
        # X enters at its second bar and is long to the end; Y never trades and has
        # a bar X lacks: exposure counts the union timeline
        self.csv("X", [(DAYS[0], 10, 10, 10, 10, 1), (DAYS[1], 10, 10, 10, 10, 1),
                       (DAYS[3], 10, 10, 10, 10, 1)])
        self.csv("Y", [(DAYS[0], 5, 5, 5, 5, 1), (DAYS[2], 5, 5, 5, 5, 1),
                       (DAYS[3], 5, 5, 5, 5, 1)])
        r = self.run_cli({"name": "p", "assets": ["X", "Y"], "benchmark": None,
                          "initial_capital": 1000, "entry": {"gt": [{"price": "close"}, 9]}},
                         DAYS[0], DAYS[3])
        # X buys at the open of day 1 (50 shares); long at days 1, 2 (carried), 3
        self.assertEqual(r["metrics"]["exposure"], 0.75)
        self.assertEqual(r["open_positions"][0]["qty"], 50)

    def test_crypto_cap(self):
        never = {"gt": [{"price": "close"}, 1e9]}
        h = "date,open,high,low,close,volume,market_cap"
        self.csv("X", [(DAYS[1], 10, 10, 10, 10, 1, 100), (DAYS[2], 11, 11, 11, 11, 1, 110),
                       (DAYS[3], 12, 12, 12, 12, 1, 120)], header=h)
        self.csv("Y", [(DAYS[1], 20, 20, 20, 20, 1, 300), (DAYS[3], 18, 18, 18, 18, 1, 270),
                       (DAYS[4], 19, 19, 19, 19, 1, 285)], header=h)
        r = self.run_cli({"name": "c", "asset_class": "crypto", "assets": ["X", "Y"],
                          "initial_capital": 1000, "entry": never}, DAYS[1], DAYS[4])
        # d2: (100*11/10 + 300*20/20) / 400 = 1.025
        # d3: 1.025 * (110*12/11 + 300*18/20) / 410 = 0.975
        # d4: 0.975 * (120*12/12 + 270*19/18) / 390 = 1.0125
        approx_list(self, [v for _, v in r["benchmark_equity"]], [1000, 1025, 975, 1012.5], 9)
        self.assertEqual(r["benchmark"]["symbol"], "CRYPTO_CAP")

    def test_crypto_cap_needs_market_cap(self):
        self.csv("X", [(DAYS[1], 10, 10, 10, 10, 1)])
        r = self.run_cli({"name": "c", "asset_class": "crypto", "assets": ["X"],
                          "entry": {"gt": [{"price": "close"}, 1e9]}}, DAYS[1], DAYS[1])
        self.assertIsNone(r["benchmark"])
        self.assertTrue(any("X" in w for w in r["warnings"]))

    def test_flat_benchmark(self):
        self.csv("X", [(d, 10, 10, 10, 10, 1) for d in DAYS])
        self.csv("F", [(DAYS[0], 7, 7, 7, 7, 1)])
        r = self.run_cli({"name": "f", "assets": ["X"], "benchmark": "F",
                          "entry": {"gt": [{"price": "close"}, 1e9]}}, DAYS[1], DAYS[5])
        self.assertTrue(r["benchmark"]["flat"])
        self.assertIn("benchmark F is flat (its value never changes): broken data?", r["warnings"])
        self.assertIsNone(r["benchmark"]["sharpe"])

    def test_missing_benchmark(self):
        self.csv("X", [(d, 10, 10, 10, 10, 1) for d in DAYS])
        r = self.run_cli({"name": "f", "assets": ["X"],
                          "entry": {"gt": [{"price": "close"}, 1e9]}}, DAYS[0], DAYS[5])
        self.assertIsNone(r["benchmark"])          # default SPY, no file
        self.assertEqual(len(r["warnings"]), 1)
        self.assertIsNone(r["metrics"]["benchmark_return"])


class WarmUp(RunBase):
    def series(self, n_before):
        # bar 0 closes below 50, then 50 flat, then the first trading bar closes at 60
        import datetime
        d = datetime.date(2020, 1, 1)
        rows = []
        for i in range(n_before + 2):
            c = 10 if i == 0 else (50 if i < n_before else 60)
            rows.append((d.isoformat(), c, c, c, c, 1))
            d += datetime.timedelta(days=1)
        self.csv("X", rows)
        return rows[n_before][0], rows[-1][0]

    def test_buffer_of_50_bars(self):
        strat = {"name": "w", "assets": ["X"], "benchmark": None,
                 "entry": {"cross_above": [{"price": "close"}, 50]}}
        # L = 0 so W = 50: with exactly 50 bars before `from` the 10 is loaded
        d_from, d_to = self.series(50)
        r = self.run_cli(strat, d_from, d_to)
        self.assertEqual(len(r["open_positions"]), 1)
        # with 51 bars before, the 10 is beyond the buffer: no earlier a != b
        d_from, d_to = self.series(51)
        r = self.run_cli(strat, d_from, d_to)
        self.assertEqual(len(r["open_positions"]), 0)
        self.assertEqual(r["warnings"], [])

    def test_shortage_warning(self):
        d_from, d_to = self.series(3)
        r = self.run_cli({"name": "w", "assets": ["X"], "benchmark": None,
                          "entry": {"gt": [{"ind": "sma", "period": 6}, 0]}}, d_from, d_to)
        self.assertEqual(r["warnings"], [f"X: only 3 bars before {d_from}, indicators need 5"])


class Inputs(RunBase):
    def test_yahoo_with_nulls(self):
        self.csv("YH", [("2021-01-04", 1, 2, 0.5, 1.5, 1.4, 100),
                        ("2021-01-05", "null", "null", "null", "null", "null", "null"),
                        ("2021-01-06", 1, 2, 0.5, 1.8, 1.7, 100)],
                 header="Date,Open,High,Low,Close,Adj Close,Volume")
        r = self.run_cli({"name": "y", "assets": ["YH"], "benchmark": "YH",
                          "entry": {"gt": [{"price": "close"}, 1e9]}}, "2021-01-01", "2021-01-31")
        self.assertEqual(r["bars"], 2)
        self.assertAlmostEqual(r["benchmark"]["total_return"], 1.8 / 1.5 - 1)   # Close, not Adj Close
        self.assertEqual(len(r["warnings"]), 1)

    def test_hourly_range_and_slash_symbol(self):
        rows = [("2021-01-01T23:00:00Z", 1, 1, 1, 1, 1), ("2021-01-02T00:00:00Z", 1, 1, 1, 1, 1),
                ("2021-01-03T23:00:00Z", 1, 1, 1, 1, 1), ("2021-01-04T00:00:00Z", 1, 1, 1, 1, 1)]
        self.csv("EUR/USD", rows, header="time,open,high,low,close,volume")
        r = self.run_cli({"name": "h", "asset_class": "fx", "timeframe": "1h",
                          "assets": ["EUR/USD"], "entry": {"gt": [{"price": "close"}, 9]}},
                         "2021-01-02", "2021-01-03")
        self.assertEqual([e[0] for e in r["equity"]], ["2021-01-02T00:00:00Z", "2021-01-03T23:00:00Z"])
        self.assertIsNone(r["benchmark"])          # fx: no default benchmark
        self.assertEqual(r["warnings"], [])

    def test_errors(self):
        self.csv("X", [(d, 10, 10, 10, 10, 1) for d in DAYS])
        ok = {"name": "e", "assets": ["X"], "benchmark": None, "entry": {"gt": [{"price": "close"}, 1]}}
        err = self.run_cli(dict(ok, stop_los_pct=3), DAYS[0], DAYS[5], status=2)
        self.assertIn("stop_los_pct", err)
        err = self.run_cli(dict(ok, risk={"position_size_pct": 150}), DAYS[0], DAYS[5], status=2)
        self.assertIn("risk.position_size_pct", err)
        bad = dict(ok, entry={"all": [{"gt": [{"ind": "sma"}, 1]}]})
        err = self.run_cli(bad, DAYS[0], DAYS[5], status=2)
        self.assertIn("entry.all[0].gt[0].period", err)
        self.run_cli("{not json", DAYS[0], DAYS[5], status=2)
        self.run_cli(ok, DAYS[5], DAYS[0], status=2)
        self.run_cli(dict(ok, assets=["NOPE"]), DAYS[0], DAYS[5], status=3)
        err = self.run_cli(ok, "2022-01-01", "2022-02-01", status=3)
        self.assertIn("data: no bars for X between 2022-01-01 and 2022-02-01", err)
        self.csv("Z", [(DAYS[1], 1, 1, 1, 1, 1), (DAYS[0], 1, 1, 1, 1, 1)])
        err = self.run_cli(dict(ok, assets=["Z"]), DAYS[0], DAYS[5], status=3)
        self.assertIn(":3:", err)


class Compare(unittest.TestCase):
    def cmp(self, a, b, **kw):
        args = dict(rel=1e-9, abs_tol=1e-9, money_abs=0.005, ignore=set(), ordered=False, limit=20)
        args.update(kw)
        c = compare.Cmp(**args)
        c.walk(a, b, "", [])
        return [d[0] for d in c.diffs]

    def test_tolerances(self):
        self.assertEqual(self.cmp({"final_equity": 100.0}, {"final_equity": 100.004}), [])
        self.assertEqual(self.cmp({"final_equity": 100.0}, {"final_equity": 100.006}), ["final_equity"])
        self.assertEqual(self.cmp({"metrics": {"sharpe": 1.0}}, {"metrics": {"sharpe": 1.0 + 1e-10}}), [])
        self.assertEqual(self.cmp({"metrics": {"sharpe": 1.0}}, {"metrics": {"sharpe": 1.0 + 1e-8}}),
                         ["metrics.sharpe"])
        self.assertEqual(self.cmp({"qty": 465}, {"qty": 465.0}), [])
        self.assertEqual(self.cmp({"trades": 3}, {"trades": 4}), ["trades"])
        self.assertEqual(self.cmp({"x": None}, {"x": 0}), ["x"])
        self.assertEqual(self.cmp({"x": True}, {"x": 1}), ["x"])

    def test_structure(self):
        a = {"equity": [["d1", 1.0], ["d2", 2.0]], "warnings": []}
        self.assertEqual(self.cmp(a, {"equity": [["d1", 1.0]]}), ["warnings", "equity"])
        self.assertEqual(self.cmp(a, {"equity": [["d1", 1.0], ["d3", 2.0]]}, ignore={"warnings"}),
                         ["equity[1][0]"])
        t1 = {"symbol": "A", "entry_time": "1", "exit_time": "3"}
        t2 = {"symbol": "B", "entry_time": "2", "exit_time": "2"}
        self.assertEqual(self.cmp({"trades": [t1, t2]}, {"trades": [t2, t1]}), [])
        self.assertEqual(len(self.cmp({"trades": [t1, t2]}, {"trades": [t2, t1]}, ordered=True)), 6)


class Fixture(unittest.TestCase):
    def test_expected_files_are_current(self):
        with open(os.path.join(FIXTURE, "cases.txt")) as f:
            cases = [ln.split() for ln in f if ln.strip() and not ln.startswith("#")]
        self.assertGreaterEqual(len(cases), 3)
        reasons = set()
        for name, strat, d_from, d_to in cases:
            p = subprocess.run([sys.executable, os.path.join(HERE, "refbt.py"), "--strategy",
                                os.path.join(FIXTURE, strat), "--from", d_from, "--to", d_to,
                                "--data-dir", FIXTURE], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            got = json.loads(p.stdout)
            with open(os.path.join(FIXTURE, f"expected_{name}.json")) as f:
                want = json.load(f)
            c = compare.Cmp(0.0, 0.0, 0.0, set(), True, 20)
            c.walk(got, want, "", [])
            self.assertEqual(c.diffs, [], name)
            if name != "short_warmup":
                self.assertGreaterEqual(got["metrics"]["trades"], 3, name)
            reasons.update(t["exit_reason"] for t in got["trades"])
        self.assertEqual(reasons, {"signal", "stop_loss", "take_profit"})


if __name__ == "__main__":
    unittest.main()
