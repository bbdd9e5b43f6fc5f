#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `palisade logs --html`: the report is one self-contained page (no network
# resource at all), it renders in headless Chromium, and the screenshot is
# the right size, not blank, and shows the chart and the loss markers.
#
#   html.sh BIN FIXTURES [SCREENSHOT]   (exit 77 without chromium)
set -euo pipefail

bin=$1
fx=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shot=${3:-$work/report.png}
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	echo "html.sh: chromium is not installed (scripts/setup installs it): skipped"
	exit 77
fi
export PALISADE_NOW=2026-11-22T13:00:00Z

"$bin" logs --html "$work/report.html" "$fx/basic.log" >"$work/out" 2>"$work/err"
[ ! -s "$work/out" ] || { echo "FAIL: --html alone printed to stdout" >&2; exit 1; }

# self-contained: no URL, no external reference, everything inline
if grep -nE 'https?:|src=|href=|@import|url\(' "$work/report.html" >&2; then
	echo "FAIL: the report refers to something outside itself" >&2
	exit 1
fi
grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$work/report.html" ||
	{ echo "FAIL: no CSP" >&2; exit 1; }
# log strings are escaped: the comm with an escape sequence, nothing raw
grep -q '<svg id="timeline"' "$work/report.html" || { echo "FAIL: no timeline" >&2; exit 1; }
grep -q 'Incomplete data: 120 events lost' "$work/report.html" ||
	{ echo "FAIL: no loss banner" >&2; exit 1; }
[ "$(grep -c '<tr class="row"' "$work/report.html")" -eq 25 ] ||
	{ echo "FAIL: expected 25 table rows (9 rules, 10 targets, 3 executables, 3 cgroups)" >&2; exit 1; }
# no container in basic.log: no container table; containers.log: one row per container
grep -q 'Top containers' "$work/report.html" && { echo "FAIL: container table without containers" >&2; exit 1; }
"$bin" logs --html "$work/ctr.html" "$fx/containers.log" 2>/dev/null
sed -n '/<h2>Top containers/,/<\/table>/p' "$work/ctr.html" >"$work/ctr-rows"
[ "$(grep -c '<tr class="row"' "$work/ctr-rows")" -eq 8 ] &&
	grep -q '<td class="k">prod/web-7d4b9c-x2x7q/nginx</td>' "$work/ctr-rows" &&
	grep -q '<td class="k">host</td>' "$work/ctr-rows" &&
	grep -q '<td class="k">prod/web-7d4b9c%2Fevil/nginx</td>' "$work/ctr-rows" ||
	{ echo "FAIL: container table of containers.log:" >&2; cat "$work/ctr-rows" >&2; exit 1; }

"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$work/profile" --hide-scrollbars --screenshot="$shot" \
	--window-size=1200,900 "file://$work/report.html" >"$work/chromium.log" 2>&1 || {
	cat "$work/chromium.log" >&2
	echo "FAIL: chromium failed" >&2
	exit 1
}
[ -s "$shot" ] || { echo "FAIL: no screenshot" >&2; exit 1; }
# deny bars (#c92a2a), audit bars (#f08c00) and loss markers (#ae3ec9) must be visible
python3 "$(dirname "$0")/png_check.py" "$shot" 1200 900 0.03 c92a2a:1000 f08c00:500 ae3ec9:100

# In the browser: a click on a row opens its records in place and a second
# click closes them; the filter box hides rows with their open records; the
# time axis has labelled ticks between its ends, in time order. A script
# appended to a copy of the report clicks and types like a user and writes
# what the DOM says into the body, which Chromium dumps.
cat "$work/report.html" - >"$work/click.html" <<'EOF_JS'
<script>
(function () {
  var out = [], rows = document.querySelectorAll('tr.row[aria-expanded]');
  var row = null;
  rows.forEach(function (r) { if (!row && r.querySelector('td.k').textContent === '/etc/shadow') row = r; });
  var recs = row && row.nextElementSibling;
  out.push('rows=' + rows.length);
  out.push('closed=' + (recs && recs.className === 'recs' && recs.hidden));
  row.dispatchEvent(new MouseEvent('click', {bubbles: true}));
  var lines = recs.textContent.split('\n').filter(function (l) { return l.charAt(0) === '{'; });
  var ok = lines.length > 0 && lines.every(function (l) {
    var j = JSON.parse(l); return j.v === 1 && j.path === '/etc/shadow';
  });
  out.push('open=' + (!recs.hidden && row.getAttribute('aria-expanded') === 'true'));
  out.push('records=' + lines.length + ':' + ok);
  row.dispatchEvent(new MouseEvent('click', {bubbles: true}));
  out.push('closed-again=' + recs.hidden);
  row.dispatchEvent(new MouseEvent('click', {bubbles: true}));
  var q = document.getElementById('q');
  q.value = 'no-such-thing-in-the-report';
  q.dispatchEvent(new Event('input'));
  out.push('filtered=' + (row.style.display === 'none' && recs.hidden));
  var t = [];
  document.querySelectorAll('#timeline text[text-anchor="middle"]').forEach(function (e) {
    t.push(e.textContent);
  });
  out.push('ticks=' + t.length + ':' + (t.join('|') === t.slice().sort().join('|')));
  document.body.setAttribute('data-result', out.join(' '));
})();
</script>
EOF_JS
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$work/profile2" --dump-dom "file://$work/click.html" \
	>"$work/dom.html" 2>"$work/chromium2.log" || {
	cat "$work/chromium2.log" >&2
	echo "FAIL: chromium --dump-dom failed" >&2
	exit 1
}
got=$(sed -n 's/.*data-result="\([^"]*\)".*/\1/p' "$work/dom.html")
want="rows=25 closed=true open=true records=4:true closed-again=true filtered=true ticks=3:true"
[ "$got" = "$want" ] || { echo "FAIL: in the browser: got '$got', want '$want'" >&2; exit 1; }
echo "html: 2 passed, 0 failed"
