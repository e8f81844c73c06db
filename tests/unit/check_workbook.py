#!/usr/bin/env python3
"""Check a scorecard workbook (src/render/workbook.c) with an independent
reader, openpyxl.

    check_workbook.py PATH            the fixture of tests/unit/test_workbook.c
    check_workbook.py --empty PATH    a workbook written with no rows
    check_workbook.py --any PATH      structure only (any data)

Structure, always: sheets in order, exact headers, bold filled header with
a bottom border, panes frozen at A2, an autofilter over every row, column
widths wider than the header (and than the longest text), the number
format of every typed column, a 3-colour scale over the return columns,
the document title. With the fixture, every cell value and type as well.

Exit 0 when everything matches; otherwise 1 with one line per mismatch
(2: usage or openpyxl missing).
"""
import datetime as dt
import math
import sys

try:
    import openpyxl
    from openpyxl.utils import get_column_letter
except ImportError:
    print("check_workbook: python3-openpyxl missing", file=sys.stderr)
    sys.exit(2)

T, I, P, N, DT, D = "text", "int", "percent", "number2", "datetime", "date"
FORMATS = {I: "0", P: "0.00%", N: "0.00", DT: "yyyy-mm-dd hh:mm", D: "yyyy-mm-dd"}

STRATEGY_COLS = [
    ("ID", I), ("Strategy", T), ("Owner", T), ("Assets", T), ("Timeframe", T),
    ("Auto-update", T), ("Lookback (days)", I), ("Last auto-run", DT),
    ("Total return", P), ("CAGR", P), ("Sharpe", N), ("Max drawdown", P),
    ("Trades", I), ("Latest run completed", DT),
]
RUN_COLS = [
    ("Run", I), ("Strategy ID", I), ("Strategy", T), ("Trigger", T),
    ("Status", T), ("Priority", T), ("Reason", T), ("Error", T),
    ("From", D), ("To", D), ("Created", DT), ("Started", DT),
    ("Completed", DT), ("Total return", P), ("Max drawdown", P),
    ("Sharpe", N), ("Trades", I),
]
SCALED = {"Strategies": ["Total return", "CAGR"], "Runs": ["Total return"]}
SHEETS = ["Strategies", "Runs", "About"]

# The fixture of tests/unit/test_workbook.c, row by row (None = empty cell).
U = dt.datetime
FIXTURE = {
    "Strategies": [
        [1, "SMA cross", "alice", "SPY,QQQ", "1d", "On", 365,
         U(2024, 6, 3, 22, 15), 0.1234, 0.0567, 1.23, -0.0876, 42,
         U(2024, 6, 3, 22, 16, 30)],
        [2, "Crypto momentum \u2014 \u03b2", "bob", "BTC/USD,ETH/USD", "1h",
         "Off", 90, None, -0.25, None, None, -0.4, 7, U(2024, 6, 2, 23, 0)],
        [3, "Never run", "carol", "GLD", "1d", "On", 30, None, None, None,
         None, None, None, None],
    ],
    "Runs": [
        [101, 1, "SMA cross", "auto", "completed", "normal", None, None,
         U(2023, 6, 3), U(2024, 6, 3), U(2024, 6, 3, 22, 0),
         U(2024, 6, 3, 22, 10), U(2024, 6, 3, 22, 16, 30), 0.1234, -0.0876,
         1.23, 42],
        [102, 2, "Crypto momentum \u2014 \u03b2", "manual", "failed", "high",
         "data_error", "fetch BTC/USD: HTTP 503 <bad> & ? done",
         U(2024, 3, 1), U(2024, 6, 3), U(2024, 6, 3, 22, 1),
         U(2024, 6, 3, 22, 11), U(2024, 6, 3, 22, 12), None, None, None,
         None],
        [103, 3, "Never run", "auto", "skipped", "low", "limit_exceeded",
         None, U(2023, 6, 3), U(2024, 6, 3), U(2024, 6, 3, 22, 2), None,
         None, None, None, None, None],
    ],
}
FIXTURE_TITLE = "backtest-nightly scorecard 2024-06-03"
FIXTURE_GENERATED = U(2024, 6, 4, 2, 30)

errors = []


def fail(msg):
    errors.append(msg)


def expand_widths(ws):
    """Column letter -> width, expanding <col min..max> groups."""
    out = {}
    for dim in ws.column_dimensions.values():
        if dim.min is None or dim.max is None:
            continue
        for c in range(dim.min, dim.max + 1):
            if dim.customWidth or dim.width:
                out[get_column_letter(c)] = dim.width
    return out


def check_header_cell(sheet, cell):
    where = "%s!%s" % (sheet, cell.coordinate)
    if not cell.font or not cell.font.b:
        fail("%s: header not bold" % where)
    fill = cell.fill
    if fill is None or fill.fill_type != "solid":
        fail("%s: header has no solid fill (%r)" % (where, fill and fill.fill_type))
    if cell.border is None or cell.border.bottom is None or not cell.border.bottom.style:
        fail("%s: header has no bottom border" % where)


def display_len(value, kind):
    if value is None:
        return 0
    if kind == T or isinstance(value, str):
        return len(str(value))
    if kind == P:
        return len("%.2f%%" % (value * 100))
    if kind == N:
        return len("%.2f" % value)
    if kind == I:
        return len(str(int(value)))
    if kind == DT:
        return 16
    return 10


def check_table(ws, cols, nrows_expected=None):
    name = ws.title
    headers = [c.value for c in ws[1]]
    want = [h for h, _ in cols]
    if headers != want:
        fail("%s: headers %r, expected %r" % (name, headers, want))
        return
    for cell in ws[1]:
        check_header_cell(name, cell)
    if ws.freeze_panes != "A2":
        fail("%s: freeze_panes %r, expected 'A2'" % (name, ws.freeze_panes))
    last_row = ws.max_row
    if nrows_expected is not None and last_row != nrows_expected + 1:
        fail("%s: %d data rows, expected %d" % (name, last_row - 1, nrows_expected))
    ref = "A1:%s%d" % (get_column_letter(len(cols)), last_row)
    if ws.auto_filter is None or ws.auto_filter.ref != ref:
        fail("%s: autofilter %r, expected %r" % (name, ws.auto_filter and ws.auto_filter.ref, ref))

    widths = expand_widths(ws)
    for i, (header, kind) in enumerate(cols, start=1):
        letter = get_column_letter(i)
        w = widths.get(letter)
        if w is None:
            fail("%s: column %s (%s) has no width set" % (name, letter, header))
            continue
        if w <= len(header):
            fail("%s: column %s (%s) width %.2f not wider than its header" % (name, letter, header, w))
        longest = max([display_len(ws.cell(row=r, column=i).value, kind)
                       for r in range(2, last_row + 1)] or [0])
        if w < min(longest, 60):
            fail("%s: column %s (%s) width %.2f narrower than its longest cell (%d)" % (name, letter, header, w, longest))
        if w > 62:
            fail("%s: column %s (%s) width %.2f above the cap" % (name, letter, header, w))
        for r in range(2, last_row + 1):
            cell = ws.cell(row=r, column=i)
            v = cell.value
            if v is None:
                continue
            where = "%s!%s" % (name, cell.coordinate)
            if kind in (DT, D):
                if not isinstance(v, dt.datetime):
                    fail("%s: %r is not a datetime" % (where, v))
            elif kind in (I, P, N):
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    fail("%s: %r is not a number" % (where, v))
            elif not isinstance(v, str):
                fail("%s: %r is not text" % (where, v))
            if kind in FORMATS and cell.number_format != FORMATS[kind]:
                fail("%s: number format %r, expected %r" % (where, cell.number_format, FORMATS[kind]))

    check_scales(ws, cols, last_row)


def check_scales(ws, cols, last_row):
    name = ws.title
    found = {}
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            if rule.type == "colorScale" and rule.colorScale is not None:
                ref = str(cf.sqref)
                if ":" not in ref:   # one cell: "I2" is "I2:I2"
                    ref = "%s:%s" % (ref, ref)
                found[ref] = rule.colorScale
    for header in SCALED.get(name, []):
        i = [h for h, _ in cols].index(header) + 1
        letter = get_column_letter(i)
        ref = "%s2:%s%d" % (letter, letter, last_row)
        if last_row < 2:
            if found:
                fail("%s: colour scale %r on an empty sheet" % (name, list(found)))
            continue
        scale = found.get(ref)
        if scale is None:
            fail("%s: no colour scale on %s (%s); found %r" % (name, ref, header, list(found)))
            continue
        if len(scale.cfvo) != 3 or len(scale.color) != 3:
            fail("%s: colour scale on %s is not 3-colour" % (name, ref))
            continue
        rgb = [(c.rgb or "")[-6:].upper() for c in scale.color]
        if rgb != ["F8696B", "FFFFFF", "63BE7B"]:
            fail("%s: colour scale on %s colours %r, expected red-white-green" % (name, ref, rgb))
        kinds = [v.type for v in scale.cfvo]
        if kinds != ["min", "num", "max"] or float(scale.cfvo[1].val) != 0:
            fail("%s: colour scale on %s points %r, expected min / 0 / max" % (name, ref, kinds))


def same(a, b):
    if isinstance(b, float):
        return isinstance(a, (int, float)) and not isinstance(a, bool) and math.isclose(a, b, rel_tol=0, abs_tol=1e-12)
    if isinstance(b, dt.datetime):
        return isinstance(a, dt.datetime) and abs((a - b).total_seconds()) < 0.5
    if isinstance(b, int):
        return isinstance(a, (int, float)) and not isinstance(a, bool) and a == b
    return a == b


def check_values(ws, rows):
    for r, want in enumerate(rows, start=2):
        got = [c.value for c in ws[r]]
        got += [None] * (len(want) - len(got))
        for i, (g, w) in enumerate(zip(got, want), start=1):
            if not same(g, w):
                fail("%s!%s%d: %r, expected %r" % (ws.title, get_column_letter(i), r, g, w))


def check_about(wb, synthetic):
    ws = wb["About"]
    labels = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value
              for r in range(1, ws.max_row + 1)}
    for key in ("Scorecard", "Generated (UTC)", "Data"):
        if key not in labels:
            fail("About: no %r line" % key)
    if labels.get("Scorecard") != wb.properties.title:
        fail("About: scorecard %r differs from the title %r" % (labels.get("Scorecard"), wb.properties.title))
    if not isinstance(labels.get("Generated (UTC)"), dt.datetime):
        fail("About: generated %r is not a datetime" % labels.get("Generated (UTC)"))
    data = labels.get("Data") or ""
    comments = wb.properties.description or ""
    if synthetic is not None:
        if synthetic and not data.startswith("Synthetic"):
            fail("About: synthetic data not said (%r)" % data)
        if synthetic and "ynthetic" not in comments:
            fail("properties: comments %r do not say synthetic" % comments)
        if not synthetic and ("ynthetic" in data or "ynthetic" in comments):
            fail("About/properties say synthetic for real data")


def main(argv):
    mode = "fixture"
    args = argv[1:]
    if args and args[0] in ("--empty", "--any"):
        mode = args.pop(0)[2:]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    path = args[0]
    try:
        wb = openpyxl.load_workbook(path)
    except Exception as e:  # noqa: BLE001 - any reader failure is the finding
        print("check_workbook: %s: cannot be read: %s" % (path, e), file=sys.stderr)
        return 1
    names = wb.sheetnames
    if names[:2] != SHEETS[:2] or names[-1] != "About":
        fail("sheets %r, expected %r (later sheets before About)" % (names, SHEETS))
    else:
        nrows = {"fixture": (3, 3), "empty": (0, 0), "any": (None, None)}[mode]
        check_table(wb["Strategies"], STRATEGY_COLS, nrows[0])
        check_table(wb["Runs"], RUN_COLS, nrows[1])
        title = wb.properties.title or ""
        if not title.startswith("backtest-nightly scorecard "):
            fail("title %r" % title)
        if mode == "fixture":
            if names != SHEETS:
                fail("sheets %r, expected %r" % (names, SHEETS))
            check_values(wb["Strategies"], FIXTURE["Strategies"])
            check_values(wb["Runs"], FIXTURE["Runs"])
            if title != FIXTURE_TITLE:
                fail("title %r, expected %r" % (title, FIXTURE_TITLE))
            gen = wb["About"]["B2"].value
            if not same(gen, FIXTURE_GENERATED):
                fail("About!B2 generated %r, expected %r" % (gen, FIXTURE_GENERATED))
            check_about(wb, True)
        else:
            check_about(wb, False if mode == "empty" else None)
    for e in errors:
        print("check_workbook: %s: %s" % (path, e), file=sys.stderr)
    if errors:
        return 1
    print("check_workbook: %s: ok" % path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
