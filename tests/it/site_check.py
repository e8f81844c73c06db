#!/usr/bin/python3
"""Checks of a rendered site (tests/it/site.sh): structure and key texts
of every page, escaping, feeds against docs/feeds/*.schema.json, chart
sizes. Usage: site_check.py OUT_DIR GOLDEN_DIR [--update]. Standard library
plus jsonschema (Debian python3-jsonschema)."""
import glob, html.parser, json, os, re, struct, sys

out, golden = sys.argv[1], sys.argv[2]
update = "--update" in sys.argv
failures = []

def ok(cond, msg):
    if not cond:
        failures.append(msg)

class Text(html.parser.HTMLParser):
    """Visible text and a few structural facts of a page."""
    def __init__(self):
        super().__init__()
        self.text, self.scripts, self.imgs, self.skip = [], [], [], 0
        self.rows = []          # text of each <tr>
        self._row = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style"):
            self.skip += 1
            if tag == "script":
                self.scripts.append(a.get("src"))
        if tag == "img":
            self.imgs.append(a)
        if tag == "tr":
            self._row = []
    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
        if tag == "tr" and self._row is not None:
            self.rows.append(" | ".join(t for t in self._row if t))
            self._row = None
    def handle_data(self, data):
        if self.skip:
            return
        t = " ".join(data.split())
        if t:
            self.text.append(t)
            if self._row is not None:
                self._row.append(t)

def parse(path):
    p = Text()
    with open(path, encoding="utf-8") as f:
        src = f.read()
    p.feed(src)
    return p, src

NOTICE = ("Auto-updates use the same simulated backtests as manual runs (OHLCV-based, "
          "with fees & slippage assumptions). This is not live trading or financial advice.")

pages = ["index.html", "jobs.html"] + sorted(glob.glob("strategies/*.html", root_dir=out)) \
        + sorted(glob.glob("runs/*.html", root_dir=out))
ok(len(pages) > 4, "too few pages: %r" % pages)
for rel in pages:
    p, src = parse(os.path.join(out, rel))
    text = " ".join(p.text)
    ok(NOTICE in text, rel + ": the notice is missing")
    ok(re.search(r"synthetic demo data", text, re.I), rel + ": no synthetic label")
    ok(re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", text), rel + ": no generation time")
    ok("<script>alert(1)</script>" not in src, rel + ": hostile name not escaped")
    for s in p.scripts:
        ok(s is None or re.search(r"assets/app\.[0-9a-f]{8}\.js$", s), rel + ": script " + str(s))

# key texts, compared with golden files (structure and words, not bytes)
def golden_check(name, lines):
    path = os.path.join(golden, name)
    body = "\n".join(lines) + "\n"
    if update:
        with open(path, "w") as f:
            f.write(body)
        return
    try:
        want = open(path).read()
    except FileNotFoundError:
        failures.append("missing golden file " + path + " (run with --update)")
        return
    ok(body == want, "%s differs from %s:\n--- got\n%s--- want\n%s" % (name, path, body, want))

idx, idx_src = parse(os.path.join(out, "index.html"))
golden_check("index_rows.txt", idx.rows)
ok("&lt;script&gt;alert(1)&lt;/script&gt;" in idx_src, "index: hostile name not shown escaped")
ok("Auto: On" in " ".join(idx.text) and "Auto: Off" in " ".join(idx.text), "index: pills")
ok("Updated today" in " ".join(idx.text), "index: no 'Updated today' badge")
ok('title="Based on last automatic run."' in idx_src, "index: badge tooltip")
ok(os.path.getsize(os.path.join(out, "index.html")) < 150 * 1024, "index.html over 150 KB")
st, st_src = parse(os.path.join(out, "strategies/1.html"))
golden_check("strategy_1.txt", [t for t in st.text if not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", t)])
ok("Re-run this strategy once per day on the latest data (counts towards your daily backtest limit)."
   in " ".join(st.text), "strategy: helper text")
ok(re.search(r'<select[^>]*name="auto_update_lookback_days"', st_src), "strategy: lookback selector")
for days in ("90", "180", "365"):
    ok('value="%s"' % days in st_src, "strategy: lookback option " + days)
first_run = sorted(glob.glob("runs/*.html", root_dir=out), key=lambda p: int(re.findall(r"\d+", p)[0]))[0]
rn, _ = parse(os.path.join(out, first_run))
golden_check("run_first.txt", [r for r in rn.rows if not re.search(r"UTC|\d+ s$", r)])
jb, _ = parse(os.path.join(out, "jobs.html"))
ok("Final results" in " ".join(jb.text), "jobs: state text")

# feeds against their schemas
try:
    import jsonschema
    from jsonschema import Draft202012Validator
    schemas = {}
    for f in glob.glob("docs/feeds/*.schema.json"):
        s = json.load(open(f))
        schemas[s["$id"]] = s
    try:
        from referencing import Registry, Resource
        reg = Registry().with_resources([(k, Resource.from_contents(v)) for k, v in schemas.items()])
        make = lambda s: Draft202012Validator(s, registry=reg)
    except ImportError:
        resolver = lambda s: jsonschema.RefResolver.from_schema(s, store=schemas)
        make = lambda s: Draft202012Validator(s, resolver=resolver(s))
    def validate(doc_path, schema_id):
        errs = list(make(schemas[schema_id]).iter_errors(json.load(open(doc_path))))
        ok(not errs, "%s: %s" % (doc_path, "; ".join(e.message for e in errs[:3])))
    validate(os.path.join(out, "feeds/strategies.json"), "strategies.schema.json")
    validate(os.path.join(out, "status.json"), "status.schema.json")
    runs = glob.glob(os.path.join(out, "feeds/runs/*.json"))
    ok(len(runs) > 3, "too few run feeds")
    for r in runs:
        validate(r, "run.schema.json")
except ImportError:
    print("SKIP: python3-jsonschema missing: feeds not validated")

# charts: size and content
def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    ok(head[:8] == b"\x89PNG\r\n\x1a\n", path + ": not a PNG")
    return struct.unpack(">II", head[16:24])
charts = glob.glob(os.path.join(out, "charts/run-*.png"))
ok(charts, "no charts")
for c in charts:
    w, h = png_size(c)
    want = (1600, 800) if c.endswith("@2x.png") else (800, 400)
    ok((w, h) == want, "%s: %dx%d, want %dx%d" % (c, w, h, *want))
    ok(os.path.getsize(c) > 8000, c + ": suspiciously small (empty chart?)")
for c in glob.glob(os.path.join(out, "charts/spark-*.png")):
    w, h = png_size(c)
    ok((w, h) in ((120, 32), (240, 64)), c + ": sparkline size")

for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
