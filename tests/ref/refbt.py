#!/usr/bin/env python3
"""Independent reference backtester for strategy-v1 (tests only).

Written from ../shared/spec/strategy-v1.md and docs/BACKTEST.md alone, without
looking at src/, so that it can cross-check the C engine.  Python 3.11
standard library only.  Clarity wins over speed: indicators are computed
straight from their definitions (an SMA is the plain mean of its window, a
cross looks back bar by bar for the latest bar where a != b, ...).

    python3 tests/ref/refbt.py --strategy FILE --from YYYY-MM-DD --to YYYY-MM-DD \
        --data-dir DIR

prints the result JSON of spec section 5 plus the fields of docs/BACKTEST.md
("timeframe", "asset_class", "assets", "synthetic": false,
"benchmark_equity" and the benchmark curve metrics).

Exit status: 0 success, 2 definition or argument error, 3 data cannot be had
(missing file, no bar in [from, to], malformed file).

Choices made where neither document speaks (kept in one place so that a
mismatch with the engine is easy to trace):
  * RSI: when the average loss is 0 the RSI is 100, or 50 when the average
    gain is 0 too (flat series).  RSI = 100 - 100 / (1 + avg_gain/avg_loss).
    Wilder smoothing is written avg = (avg * (n - 1) + x) / n (RSI and ATR).
  * EMA update: e = alpha * x + (1 - alpha) * e_prev.
  * roc with x[t-n] == 0 and rvol with a non-positive close are undefined.
  * macd "line" defaults to "macd"; bbands "line" defaults to "middle".
  * "of" is accepted by sma, ema, macd, bbands, highest, lowest and roc;
    rsi, atr and rvol always read close (atr: high/low/close).
  * Unknown fields are rejected everywhere (top level, costs, risk,
    operands, conditions); a duplicated asset is rejected.
  * "benchmark": null means no benchmark.  With no benchmark at all (fx
    default or null) the result has "benchmark": null and no warning.
  * metrics also carry "benchmark_return" (spec section 4 table); it is
    null when there is no benchmark.
  * Trade prices are fill prices (slippage included).  "trades" is sorted
    by exit time, then by asset order; "open_positions" follows asset order.
  * CRYPTO_CAP: a step where no constituent qualifies keeps I[t] = I[u].
  * Malformed data files (out of order, duplicate, high < low, bad number,
    bars of the wrong timeframe) exit with status 3.
"""

import json
import math
import sys
from datetime import date, datetime, timedelta

STATUS_DEF = 2
STATUS_DATA = 3

ASSET_CLASSES = ("stock", "crypto", "fx")
TIMEFRAMES = ("1d", "1h")
PERIODS_PER_YEAR = {
    ("1d", "stock"): 252, ("1d", "crypto"): 365, ("1d", "fx"): 260,
    ("1h", "stock"): 1638, ("1h", "crypto"): 8760, ("1h", "fx"): 6240,
}
DEFAULT_BENCHMARK = {"stock": "SPY", "crypto": "CRYPTO_CAP", "fx": None}
TOP_FIELDS = ("name", "description", "template", "asset_class", "timeframe",
              "assets", "benchmark", "initial_capital", "periods_per_year",
              "costs", "entry", "exit", "risk")
COST_FIELDS = ("commission_bps", "commission_per_trade", "slippage_bps")
RISK_FIELDS = ("position_size_pct", "stop_loss_pct", "take_profit_pct")
PRICE_FIELDS = ("open", "high", "low", "close", "volume")
COMPARE_OPS = ("gt", "lt", "ge", "le")
CROSS_OPS = ("cross_above", "cross_below")
# indicator -> allowed fields (besides "ind")
IND_FIELDS = {
    "sma": ("period", "of"),
    "ema": ("period", "of"),
    "rsi": ("period",),
    "macd": ("fast", "slow", "signal", "line", "of"),
    "bbands": ("period", "k", "line", "of"),
    "atr": ("period",),
    "highest": ("period", "of"),
    "lowest": ("period", "of"),
    "roc": ("period", "of"),
    "rvol": ("period",),
}


class DefError(Exception):
    """Definition or argument error (exit status 2)."""


class DataError(Exception):
    """Data cannot be had (exit status 3)."""


# --------------------------------------------------------------------------
# Definition parsing and validation

def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def need_num(v, path, lo=None, lo_incl=True, hi=None):
    if not is_num(v):
        raise DefError(f"{path}: must be a number")
    if lo is not None:
        if lo_incl and v < lo:
            raise DefError(f"{path}: must be >= {lo}")
        if not lo_incl and v <= lo:
            raise DefError(f"{path}: must be > {lo}")
    if hi is not None and v > hi:
        raise DefError(f"{path}: must be <= {hi}")
    return float(v)


def need_period(v, path, lo=1):
    if not is_num(v) or float(v) != math.floor(v):
        raise DefError(f"{path}: must be a whole number")
    if v < lo:
        raise DefError(f"{path}: must be >= {lo}")
    return int(v)


def parse_operand(op, path):
    """Returns a normalised operand: ("const", x) / ("price", f) / ("ind", dict)."""
    if is_num(op):
        return ("const", float(op))
    if not isinstance(op, dict):
        raise DefError(f"{path}: operand must be a number, a price field or an indicator")
    if "price" in op:
        for k in op:
            if k != "price":
                raise DefError(f"{path}.{k}: unknown field")
        if op["price"] not in PRICE_FIELDS:
            raise DefError(f"{path}.price: must be one of {', '.join(PRICE_FIELDS)}")
        return ("price", op["price"])
    if "ind" not in op:
        raise DefError(f"{path}: operand must have \"price\" or \"ind\"")
    name = op["ind"]
    if name not in IND_FIELDS:
        raise DefError(f"{path}.ind: unknown indicator {name!r}")
    for k in op:
        if k != "ind" and k not in IND_FIELDS[name]:
            raise DefError(f"{path}.{k}: unknown field for {name}")
    spec = {"ind": name}
    if "of" in IND_FIELDS[name]:
        of = op.get("of", "close")
        if of not in PRICE_FIELDS:
            raise DefError(f"{path}.of: must be one of {', '.join(PRICE_FIELDS)}")
        spec["of"] = of
    if name == "macd":
        spec["fast"] = need_period(op.get("fast", 12), path + ".fast")
        spec["slow"] = need_period(op.get("slow", 26), path + ".slow")
        spec["signal"] = need_period(op.get("signal", 9), path + ".signal")
        line = op.get("line", "macd")
        if line not in ("macd", "signal", "hist"):
            raise DefError(f"{path}.line: must be macd, signal or hist")
        spec["line"] = line
    elif name == "bbands":
        spec["period"] = need_period(op.get("period", 20), path + ".period")
        spec["k"] = need_num(op.get("k", 2.0), path + ".k", lo=0)
        line = op.get("line", "middle")
        if line not in ("upper", "middle", "lower"):
            raise DefError(f"{path}.line: must be upper, middle or lower")
        spec["line"] = line
    else:
        if "period" not in op:
            raise DefError(f"{path}.period: required")
        spec["period"] = need_period(op["period"], path + ".period",
                                     lo=2 if name == "rvol" else 1)
    return ("ind", spec)


def lookback(spec):
    name = spec["ind"]
    if name in ("sma", "ema", "bbands", "highest", "lowest"):
        return spec["period"] - 1
    if name in ("rsi", "atr", "roc", "rvol"):
        return spec["period"]
    # macd
    base = max(spec["fast"], spec["slow"]) - 1
    if spec["line"] == "macd":
        return base
    return base + spec["signal"] - 1


def parse_condition(c, path):
    if not isinstance(c, dict) or len(c) != 1:
        raise DefError(f"{path}: a condition is an object with exactly one operator")
    (op, arg), = c.items()
    if op in COMPARE_OPS or op in CROSS_OPS:
        if not isinstance(arg, list) or len(arg) != 2:
            raise DefError(f"{path}.{op}: must be an array of two operands")
        return (op, parse_operand(arg[0], f"{path}.{op}[0]"),
                parse_operand(arg[1], f"{path}.{op}[1]"))
    if op in ("all", "any"):
        if not isinstance(arg, list) or not arg:
            raise DefError(f"{path}.{op}: must be a non-empty array of conditions")
        return (op, [parse_condition(x, f"{path}.{op}[{i}]") for i, x in enumerate(arg)])
    if op == "not":
        return ("not", parse_condition(arg, f"{path}.not"))
    raise DefError(f"{path}.{op}: unknown condition operator")


def condition_indicators(cond, out):
    op = cond[0]
    if op in COMPARE_OPS or op in CROSS_OPS:
        for operand in cond[1:]:
            if operand[0] == "ind":
                out.append(operand[1])
    elif op in ("all", "any"):
        for sub in cond[1]:
            condition_indicators(sub, out)
    else:
        condition_indicators(cond[1], out)
    return out


def parse_strategy(doc):
    if not isinstance(doc, dict):
        raise DefError("strategy: the definition must be a JSON object")
    for k in doc:
        if k not in TOP_FIELDS:
            raise DefError(f"{k}: unknown field")
    s = {}
    name = doc.get("name")
    if not isinstance(name, str):
        raise DefError("name: required string")
    if not 1 <= len(name) <= 120:
        raise DefError("name: must be 1..120 characters")
    s["name"] = name
    for k in ("description", "template"):
        if k in doc and not isinstance(doc[k], str):
            raise DefError(f"{k}: must be a string")
    ac = doc.get("asset_class", "stock")
    if ac not in ASSET_CLASSES:
        raise DefError("asset_class: must be stock, crypto or fx")
    tf = doc.get("timeframe", "1d")
    if tf not in TIMEFRAMES:
        raise DefError("timeframe: must be 1d or 1h")
    s["asset_class"], s["timeframe"] = ac, tf
    assets = doc.get("assets")
    if not isinstance(assets, list) or not 1 <= len(assets) <= 50:
        raise DefError("assets: must be an array of 1..50 symbols")
    for i, a in enumerate(assets):
        if not isinstance(a, str) or not a:
            raise DefError(f"assets[{i}]: must be a non-empty string")
        if a in assets[:i]:
            raise DefError(f"assets[{i}]: duplicate symbol {a}")
    s["assets"] = list(assets)
    if "benchmark" in doc:
        b = doc["benchmark"]
        if b is not None and (not isinstance(b, str) or not b):
            raise DefError("benchmark: must be a symbol, \"CRYPTO_CAP\" or null")
        s["benchmark"] = b
    else:
        s["benchmark"] = DEFAULT_BENCHMARK[ac]
    s["initial_capital"] = need_num(doc.get("initial_capital", 100000),
                                    "initial_capital", lo=0, lo_incl=False)
    s["initial_capital_raw"] = doc.get("initial_capital", 100000)
    if "periods_per_year" in doc:
        s["ppy"] = need_num(doc["periods_per_year"], "periods_per_year", lo=0, lo_incl=False)
    else:
        s["ppy"] = float(PERIODS_PER_YEAR[(tf, ac)])
    costs = doc.get("costs", {})
    if costs is None:
        costs = {}
    if not isinstance(costs, dict):
        raise DefError("costs: must be an object")
    for k in costs:
        if k not in COST_FIELDS:
            raise DefError(f"costs.{k}: unknown field")
    for k in COST_FIELDS:
        s[k] = need_num(costs.get(k, 0), f"costs.{k}", lo=0)
    risk = doc.get("risk", {})
    if risk is None:
        risk = {}
    if not isinstance(risk, dict):
        raise DefError("risk: must be an object")
    for k in risk:
        if k not in RISK_FIELDS:
            raise DefError(f"risk.{k}: unknown field")
    s["position_size_pct"] = need_num(risk.get("position_size_pct", 100),
                                      "risk.position_size_pct", lo=0, lo_incl=False, hi=100)
    for k in ("stop_loss_pct", "take_profit_pct"):
        v = risk.get(k)
        s[k] = None if v is None else need_num(v, f"risk.{k}", lo=0, lo_incl=False)
    if "entry" not in doc or doc["entry"] is None:
        raise DefError("entry: required")
    s["entry"] = parse_condition(doc["entry"], "entry")
    s["exit"] = None if doc.get("exit") is None else parse_condition(doc["exit"], "exit")
    inds = condition_indicators(s["entry"], [])
    if s["exit"] is not None:
        condition_indicators(s["exit"], inds)
    s["L"] = max([lookback(x) for x in inds], default=0)
    return s


# --------------------------------------------------------------------------
# Data

def symbol_file(data_dir, sym):
    return f"{data_dir.rstrip('/')}/{sym.replace('/', '-')}.csv"


def load_csv(path, sym, timeframe, warnings):
    """Returns a list of bars (dicts: t, open, high, low, close, volume, mcap)
    and whether the file has a market_cap column."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        raise DataError(f"data: no file {path} for {sym}")
    except OSError as e:
        raise DataError(f"data: cannot read {path}: {e}")
    if not lines:
        raise DataError(f"data: {path}: empty file")
    header = [h.strip() for h in lines[0].lstrip("\ufeff").split(",")]
    low = [h.lower() for h in header]
    if low[0] not in ("date", "time"):
        raise DataError(f"data: {path}:1: unknown header")
    col = {}
    for name in PRICE_FIELDS + ("market_cap",):
        if name in low:
            col[name] = low.index(name)
        elif name != "market_cap":
            raise DataError(f"data: {path}:1: no {name} column")
    has_mcap = "market_cap" in col
    bars, nulls, prev = [], 0, None
    for lineno, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = [x.strip() for x in line.split(",")]
        if len(fields) != len(header):
            raise DataError(f"data: {path}:{lineno}: expected {len(header)} fields")
        if any(x == "null" for x in fields):
            nulls += 1
            continue
        t = fields[0]
        if len(t) == 10 and t[4] == "-" and t[7] == "-":
            kind = "1d"
        elif len(t) == 20 and t[10] == "T" and t[19] == "Z":
            kind = "1h"
        else:
            raise DataError(f"data: {path}:{lineno}: bad time {t!r}")
        if kind != timeframe:
            raise DataError(f"data: {path}:{lineno}: bar time {t} does not fit timeframe {timeframe}")
        try:
            b = {"t": t}
            for name in PRICE_FIELDS:
                v = float(fields[col[name]])
                if not math.isfinite(v):
                    raise ValueError
                b[name] = v
            b["mcap"] = None
            if has_mcap and fields[col["market_cap"]] != "":
                v = float(fields[col["market_cap"]])
                b["mcap"] = v if math.isfinite(v) else None
        except ValueError:
            raise DataError(f"data: {path}:{lineno}: bad number")
        if prev is not None and t <= prev:
            raise DataError(f"data: {path}:{lineno}: time {t} is out of order or duplicated")
        if b["high"] < b["low"]:
            raise DataError(f"data: {path}:{lineno}: high < low")
        prev = t
        bars.append(b)
    if nulls:
        warnings.append(f"{sym}: skipped {nulls} rows with null fields in {path}")
    return bars, has_mcap


def next_day(d):
    return (date.fromisoformat(d) + timedelta(days=1)).isoformat()


def in_range_fns(timeframe, d_from, d_to):
    """(is before trading range, is after trading range) predicates on bar times."""
    if timeframe == "1d":
        return (lambda t: t < d_from), (lambda t: t > d_to)
    lo = d_from + "T00:00:00Z"
    hi = next_day(d_to) + "T00:00:00Z"
    return (lambda t: t < lo), (lambda t: t >= hi)


# --------------------------------------------------------------------------
# Indicators (straight from the definitions; None = undefined)

def ind_sma(x, n):
    out = [None] * len(x)
    for t in range(n - 1, len(x)):
        out[t] = sum(x[t - n + 1:t + 1]) / n
    return out


def ind_ema(x, n, start=0):
    """EMA of x whose first defined value is x[start]."""
    out = [None] * len(x)
    alpha = 2.0 / (n + 1)
    first = start + n - 1
    if first >= len(x):
        return out
    e = sum(x[start:first + 1]) / n
    out[first] = e
    for t in range(first + 1, len(x)):
        e = alpha * x[t] + (1.0 - alpha) * e
        out[t] = e
    return out


def ind_rsi(c, n):
    out = [None] * len(c)
    if n >= len(c):
        return out
    gains = [None] + [max(c[i] - c[i - 1], 0.0) for i in range(1, len(c))]
    losses = [None] + [max(c[i - 1] - c[i], 0.0) for i in range(1, len(c))]
    ag = sum(gains[1:n + 1]) / n
    al = sum(losses[1:n + 1]) / n
    for t in range(n, len(c)):
        if t > n:
            ag = (ag * (n - 1) + gains[t]) / n
            al = (al * (n - 1) + losses[t]) / n
        if al == 0.0:
            out[t] = 100.0 if ag > 0.0 else 50.0
        else:
            out[t] = 100.0 - 100.0 / (1.0 + ag / al)
    return out


def ind_atr(h, l, c, n):
    out = [None] * len(c)
    if n >= len(c):
        return out
    tr = [None] + [max(h[t] - l[t], abs(h[t] - c[t - 1]), abs(l[t] - c[t - 1]))
                   for t in range(1, len(c))]
    a = sum(tr[1:n + 1]) / n
    out[n] = a
    for t in range(n + 1, len(c)):
        a = (a * (n - 1) + tr[t]) / n
        out[t] = a
    return out


def ind_macd(x, f, s, g, line):
    ef, es = ind_ema(x, f), ind_ema(x, s)
    first = max(f, s) - 1
    macd = [None] * len(x)
    for t in range(first, len(x)):
        macd[t] = ef[t] - es[t]
    if line == "macd":
        return macd
    sig = ind_ema(macd, g, start=first) if first < len(x) else [None] * len(x)
    if line == "signal":
        return sig
    return [None if sig[t] is None else macd[t] - sig[t] for t in range(len(x))]


def ind_bbands(x, n, k, line):
    out = [None] * len(x)
    for t in range(n - 1, len(x)):
        w = x[t - n + 1:t + 1]
        m = sum(w) / n
        sd = math.sqrt(sum((v - m) ** 2 for v in w) / n)
        out[t] = m if line == "middle" else (m + k * sd if line == "upper" else m - k * sd)
    return out


def ind_window(x, n, fn):
    out = [None] * len(x)
    for t in range(n - 1, len(x)):
        out[t] = fn(x[t - n + 1:t + 1])
    return out


def ind_roc(x, n):
    out = [None] * len(x)
    for t in range(n, len(x)):
        if x[t - n] != 0.0:
            out[t] = x[t] / x[t - n] - 1.0
    return out


def ind_rvol(c, n, ppy):
    out = [None] * len(c)
    lr = [None] * len(c)
    for i in range(1, len(c)):
        if c[i] > 0.0 and c[i - 1] > 0.0:
            lr[i] = math.log(c[i] / c[i - 1])
    for t in range(n, len(c)):
        w = lr[t - n + 1:t + 1]
        if any(v is None for v in w):
            continue
        m = sum(w) / n
        out[t] = math.sqrt(sum((v - m) ** 2 for v in w) / (n - 1)) * math.sqrt(ppy)
    return out


def compute_indicator(spec, cols, ppy):
    name = spec["ind"]
    x = cols[spec.get("of", "close")]
    if name == "sma":
        return ind_sma(x, spec["period"])
    if name == "ema":
        return ind_ema(x, spec["period"])
    if name == "rsi":
        return ind_rsi(cols["close"], spec["period"])
    if name == "macd":
        return ind_macd(x, spec["fast"], spec["slow"], spec["signal"], spec["line"])
    if name == "bbands":
        return ind_bbands(x, spec["period"], spec["k"], spec["line"])
    if name == "atr":
        return ind_atr(cols["high"], cols["low"], cols["close"], spec["period"])
    if name == "highest":
        return ind_window(x, spec["period"], max)
    if name == "lowest":
        return ind_window(x, spec["period"], min)
    if name == "roc":
        return ind_roc(x, spec["period"])
    if name == "rvol":
        return ind_rvol(cols["close"], spec["period"], ppy)
    raise AssertionError(name)


# --------------------------------------------------------------------------
# Conditions

class Evaluator:
    """Evaluates conditions on one symbol's loaded bars."""

    def __init__(self, bars, ppy):
        self.n = len(bars)
        self.cols = {f: [b[f] for b in bars] for f in PRICE_FIELDS}
        self.ppy = ppy
        self.cache = {}

    def series(self, operand):
        kind, v = operand
        if kind == "const":
            return [v] * self.n
        if kind == "price":
            return self.cols[v]
        key = json.dumps(v, sort_keys=True)
        if key not in self.cache:
            self.cache[key] = compute_indicator(v, self.cols, self.ppy)
        return self.cache[key]

    def truth(self, cond):
        """List of booleans, one per loaded bar."""
        op = cond[0]
        if op in COMPARE_OPS:
            a, b = self.series(cond[1]), self.series(cond[2])
            out = []
            for t in range(self.n):
                if a[t] is None or b[t] is None:
                    out.append(None)          # undefined (docs: three-valued)
                elif op == "gt":
                    out.append(a[t] > b[t])
                elif op == "lt":
                    out.append(a[t] < b[t])
                elif op == "ge":
                    out.append(a[t] >= b[t])
                else:
                    out.append(a[t] <= b[t])
            return out
        if op in CROSS_OPS:
            a, b = self.series(cond[1]), self.series(cond[2])
            return [self.cross(a, b, t, op == "cross_above") for t in range(self.n)]
        # Kleene three-valued logic; None = undefined, read as false at the top
        if op == "all":
            subs = [self.truth(c) for c in cond[1]]
            out = []
            for t in range(self.n):
                vals = [s[t] for s in subs]
                out.append(False if False in vals else (None if None in vals else True))
            return out
        if op == "any":
            subs = [self.truth(c) for c in cond[1]]
            out = []
            for t in range(self.n):
                vals = [s[t] for s in subs]
                out.append(True if True in vals else (None if None in vals else False))
            return out
        sub = self.truth(cond[1])
        return [None if v is None else (not v) for v in sub]

    @staticmethod
    def cross(a, b, t, above):
        if a[t] is None or b[t] is None:
            return None
        if above and not a[t] > b[t]:
            return False
        if not above and not a[t] < b[t]:
            return False
        s = t - 1
        while s >= 0:
            if a[s] is None or b[s] is None:
                return False          # reads an undefined value
            if a[s] != b[s]:
                return a[s] < b[s] if above else a[s] > b[s]
            s -= 1
        return False                  # no earlier bar with a != b


# --------------------------------------------------------------------------
# Simulation of one sleeve

def round_qty(q, asset_class):
    if asset_class == "stock":
        return float(math.floor(q))
    return math.floor(q * 1e8) / 1e8


def take_one_unit(q, asset_class):
    if asset_class == "stock":
        return q - 1.0
    return (math.floor(q * 1e8 + 0.5) - 1) / 1e8


def simulate_sleeve(sym, bars, i0, entry, exit_, s, cash0):
    """bars: loaded bars of the symbol (warm-up first); i0: first trading bar.
    Returns (times, equity list, long flags, closed trades, open position)."""
    ac = s["asset_class"]
    slip = s["slippage_bps"] / 10000.0
    c_bps = s["commission_bps"] / 10000.0
    f = s["commission_per_trade"]
    pct = s["position_size_pct"]
    sl, tp = s["stop_loss_pct"], s["take_profit_pct"]
    last = len(bars) - 1

    cash = cash0
    pos = None            # dict: qty, price (entry fill), time, cost, stop, target
    pending = None        # ("buy", qty) / ("sell",)
    trades = []
    times, equity, longs = [], [], []

    def sell(t_bar, base_price, reason):
        nonlocal cash, pos
        p = base_price * (1.0 - slip)
        q = pos["qty"]
        notional = q * p
        comm = f + notional * c_bps
        proceeds = notional - comm
        cash += proceeds
        trades.append({"symbol": sym, "entry_time": pos["time"], "entry_price": pos["price"],
                       "qty": q, "exit_time": t_bar["t"], "exit_price": p,
                       "pnl": proceeds - pos["cost"], "exit_reason": reason})
        pos = None

    for t in range(i0, last + 1):
        bar = bars[t]
        # 1. the order from the previous close fills at this open
        if pending is not None:
            if pending[0] == "sell":
                sell(bar, bar["open"], "signal")
            else:
                q = pending[1]
                p = bar["open"] * (1.0 + slip)
                if q * p + (f + q * p * c_bps) > cash:
                    q = round_qty((cash - f) / (p * (1.0 + c_bps)), ac)
                    if q > 0 and q * p + (f + q * p * c_bps) > cash:
                        q = take_one_unit(q, ac)
                if q > 0:
                    comm = f + q * p * c_bps
                    cost = q * p + comm
                    cash -= cost
                    pos = {"qty": q, "price": p, "time": bar["t"], "cost": cost,
                           "stop": None if sl is None else p * (1.0 - sl / 100.0),
                           "target": None if tp is None else p * (1.0 + tp / 100.0)}
            pending = None
        # 2. stop-loss / take-profit inside the bar (entry bar included)
        if pos is not None:
            if pos["stop"] is not None and bar["low"] <= pos["stop"]:
                sell(bar, min(bar["open"], pos["stop"]), "stop_loss")
            elif pos["target"] is not None and bar["high"] >= pos["target"]:
                sell(bar, max(bar["open"], pos["target"]), "take_profit")
        # 3. equity at the close
        eq = cash + (pos["qty"] * bar["close"] if pos is not None else 0.0)
        times.append(bar["t"])
        equity.append(eq)
        longs.append(pos is not None)
        # 4. signals at the close (none on the last bar of the data)
        if t < last:
            if pos is not None:
                if exit_ is not None and exit_[t]:
                    pending = ("sell",)
            elif entry[t]:
                q = round_qty(pct / 100.0 * eq / bar["close"], ac)
                if q > 0:
                    pending = ("buy", q)
    open_pos = None
    if pos is not None:
        open_pos = {"symbol": sym, "entry_time": pos["time"], "entry_price": pos["price"],
                    "qty": pos["qty"]}
    return times, equity, longs, trades, open_pos


# --------------------------------------------------------------------------
# Metrics

def curve_metrics(E, init, ppy):
    n = len(E) - 1
    m = {"total_return": E[-1] / init - 1.0}
    m["cagr"] = None if n < 1 else (E[-1] / init) ** (ppy / n) - 1.0
    r = [E[i] / E[i - 1] - 1.0 for i in range(1, len(E))]
    m["volatility"] = m["sharpe"] = m["sortino"] = None
    if n >= 2:
        mean = sum(r) / n
        sd = math.sqrt(sum((x - mean) ** 2 for x in r) / (n - 1))
        m["volatility"] = sd * math.sqrt(ppy)
        if sd != 0.0:
            m["sharpe"] = mean / sd * math.sqrt(ppy)
        neg = [x for x in r if x < 0.0]
        if neg:
            m["sortino"] = mean / math.sqrt(sum(x * x for x in neg) / n) * math.sqrt(ppy)
    mdd, peak = 0.0, init
    for e in E:
        peak = max(peak, e)
        mdd = min(mdd, e / peak - 1.0)
    m["max_drawdown"] = mdd
    m["calmar"] = None if m["cagr"] is None or mdd == 0.0 else m["cagr"] / abs(mdd)
    return m


def trade_metrics(trades):
    wins = [t["pnl"] for t in trades if t["pnl"] > 0.0]
    losses = [t["pnl"] for t in trades if t["pnl"] < 0.0]
    return {
        "trades": len(trades),
        "win_rate": None if not trades else len(wins) / len(trades),
        "profit_factor": None if not losses else sum(wins) / abs(sum(losses)),
    }


# --------------------------------------------------------------------------
# Benchmark

def carry_forward(times, series_times, values):
    """For each time in times, the value at the latest series time <= it (None before)."""
    out, j, cur = [], 0, None
    for t in times:
        while j < len(series_times) and series_times[j] <= t:
            cur = values[j]
            j += 1
        out.append(cur)
    return out


def symbol_benchmark(sym, s, data_dir, d_to, timeline, warnings):
    try:
        bars, _ = load_csv(symbol_file(data_dir, sym), sym, s["timeframe"], [])
    except DataError as e:
        warnings.append(f"benchmark {sym} unavailable: {e}")
        return None
    _, after = in_range_fns(s["timeframe"], "", d_to)
    bars = [b for b in bars if not after(b["t"])]
    closes = carry_forward(timeline, [b["t"] for b in bars], [b["close"] for b in bars])
    base = closes[0]
    if base is None:
        warnings.append(f"benchmark {sym} unavailable: no bar at or before {timeline[0]}")
        return None
    init = s["initial_capital"]
    return [init * c / base for c in closes]


def crypto_cap_benchmark(s, sleeves, timeline, warnings):
    for sym, bars, has_mcap in sleeves:
        if not has_mcap:
            warnings.append(f"benchmark CRYPTO_CAP unavailable: {sym} has no market_cap column")
            return None
    cons = []
    for sym, bars, _ in sleeves:
        ts = [b["t"] for b in bars]
        cons.append((carry_forward(timeline, ts, [b["close"] for b in bars]),
                     carry_forward(timeline, ts, [b["mcap"] for b in bars])))
    idx = [1.0]
    for k in range(1, len(timeline)):
        num, den = 0.0, 0.0
        for close, mcap in cons:
            if (close[k - 1] is None or close[k] is None or mcap[k - 1] is None
                    or mcap[k] is None or close[k - 1] == 0.0):
                continue
            num += mcap[k - 1] * close[k] / close[k - 1]
            den += mcap[k - 1]
        idx.append(idx[-1] * num / den if den != 0.0 else idx[-1])
    init = s["initial_capital"]
    return [init * v for v in idx]


# --------------------------------------------------------------------------
# The run

def run(s, d_from, d_to, data_dir):
    warnings = []
    before, after = in_range_fns(s["timeframe"], d_from, d_to)
    L = s["L"]
    W = L + max(50, 2 * L)
    n_assets = len(s["assets"])
    cash0 = s["initial_capital"] / n_assets

    loaded = []      # (sym, bars, i0, has_mcap)
    for sym in s["assets"]:
        bars, has_mcap = load_csv(symbol_file(data_dir, sym), sym, s["timeframe"], warnings)
        bars = [b for b in bars if not after(b["t"])]
        i_first = next((i for i, b in enumerate(bars) if not before(b["t"])), None)
        if i_first is None:
            raise DataError(f"data: no bars for {sym} between {d_from} and {d_to}")
        start = max(0, i_first - W)
        bars = bars[start:]
        i0 = i_first - start
        if i0 < L:
            warnings.append(f"{sym}: only {i0} bars before {d_from}, indicators need {L}")
        loaded.append((sym, bars, i0, has_mcap))

    sleeves = []
    trades, open_positions = [], []
    for k, (sym, bars, i0, _) in enumerate(loaded):
        ev = Evaluator(bars, s["ppy"])
        entry = ev.truth(s["entry"])
        exit_ = None if s["exit"] is None else ev.truth(s["exit"])
        times, eq, longs, tr, op = simulate_sleeve(sym, bars, i0, entry, exit_, s, cash0)
        sleeves.append((times, eq, longs))
        trades.extend((t["exit_time"], k, t) for t in tr)
        if op is not None:
            open_positions.append(op)
    trades = [t for _, _, t in sorted(trades, key=lambda x: (x[0], x[1]))]

    timeline = sorted(set(t for times, _, _ in sleeves for t in times))
    E = [0.0] * len(timeline)
    exposed = [False] * len(timeline)
    for times, eq, longs in sleeves:
        e_cf = carry_forward(timeline, times, eq)
        l_cf = carry_forward(timeline, times, longs)
        for k in range(len(timeline)):
            E[k] += cash0 if e_cf[k] is None else e_cf[k]
            exposed[k] = exposed[k] or bool(l_cf[k])

    init = s["initial_capital"]
    ppy = s["ppy"]
    metrics = curve_metrics(E, init, ppy)
    metrics["exposure"] = sum(1 for x in exposed if x) / len(timeline)
    metrics.update(trade_metrics(trades))

    bench_sym = s["benchmark"]
    bench = None
    if bench_sym == "CRYPTO_CAP":
        bench = crypto_cap_benchmark(s, [(sym, b, m) for sym, b, _, m in loaded],
                                     timeline, warnings)
    elif bench_sym is not None:
        bench = symbol_benchmark(bench_sym, s, data_dir, d_to, timeline, warnings)
    metrics["benchmark_return"] = None if bench is None else bench[-1] / init - 1.0

    result = {
        "strategy": s["name"],
        "from": d_from, "to": d_to,
        "timeframe": s["timeframe"],
        "asset_class": s["asset_class"],
        "assets": s["assets"],
        "synthetic": False,
        "bars": len(timeline),
        "initial_capital": s["initial_capital_raw"],
        "final_equity": E[-1],
        "metrics": metrics,
    }
    if bench is None:
        result["benchmark"] = None
    else:
        flat = all(v == bench[0] for v in bench)
        if flat:
            warnings.append(f"benchmark {bench_sym} is flat (its value never changes): broken data?")
        bm = {"symbol": bench_sym}
        bm.update(curve_metrics(bench, init, ppy))
        bm["flat"] = flat
        result["benchmark"] = bm
    result["trades"] = trades
    result["open_positions"] = open_positions
    result["equity"] = [[t, e] for t, e in zip(timeline, E)]
    if bench is not None:
        result["benchmark_equity"] = [[t, v] for t, v in zip(timeline, bench)]
    result["warnings"] = warnings
    return result


# --------------------------------------------------------------------------
# Output

def enc(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else "null"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(enc(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(json.dumps(k) + ": " + enc(x) for k, x in v.items()) + "}"
    raise TypeError(type(v))


def dump(result):
    """One top-level key per line; list items (trades, equity points) one per line."""
    out = ["{"]
    keys = list(result)
    for i, k in enumerate(keys):
        v = result[k]
        comma = "," if i < len(keys) - 1 else ""
        if isinstance(v, list) and v and isinstance(v[0], (list, dict)):
            out.append(f"  {json.dumps(k)}: [")
            out.extend("    " + enc(x) + ("," if j < len(v) - 1 else "") for j, x in enumerate(v))
            out.append("  ]" + comma)
        else:
            out.append(f"  {json.dumps(k)}: {enc(v)}{comma}")
    out.append("}")
    return "\n".join(out) + "\n"


def parse_date(v, what):
    try:
        if len(v) != 10:
            raise ValueError
        return datetime.strptime(v, "%Y-%m-%d").date().isoformat()
    except ValueError:
        raise DefError(f"--{what}: must be a date YYYY-MM-DD, got {v!r}")


def parse_args(argv):
    opts = {}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--json":
            i += 1
            continue
        if a in ("--strategy", "--from", "--to", "--data-dir"):
            if i + 1 >= len(argv):
                raise DefError(f"{a}: missing value")
            opts[a[2:]] = argv[i + 1]
            i += 2
            continue
        raise DefError(f"unknown argument {a!r}")
    for k in ("strategy", "from", "to", "data-dir"):
        if k not in opts:
            raise DefError(f"--{k}: required")
    opts["from"] = parse_date(opts["from"], "from")
    opts["to"] = parse_date(opts["to"], "to")
    if opts["from"] > opts["to"]:
        raise DefError("--from: must not be after --to")
    return opts


def load_strategy(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise DefError(f"--strategy: cannot read {path}: {e}")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise DefError(f"strategy: {path}: invalid JSON: {e}")
    return parse_strategy(doc)


def main(argv):
    try:
        opts = parse_args(argv)
        s = load_strategy(opts["strategy"])
        result = run(s, opts["from"], opts["to"], opts["data-dir"])
    except DefError as e:
        print(f"refbt: {e}", file=sys.stderr)
        return STATUS_DEF
    except DataError as e:
        print(f"refbt: {e}", file=sys.stderr)
        return STATUS_DATA
    sys.stdout.write(dump(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
