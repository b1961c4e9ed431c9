#!/usr/bin/env bash
# The HTML report in a real browser: headless Chromium opens the golden story-with-history page
# (tests/fixtures/golden/story-history.html, what `oomwitness show --html` writes for the
# unit tests' slow-leak incident), takes a screenshot and dumps the DOM it built. Asserts:
#   - the page is self-contained: no http(s) URL but the SVG namespace, no <script>;
#   - the browser parsed the chart: one <path class="series"> per curve with data-points > 0,
#     one kill marker, one legend entry per process curve;
#   - the screenshot is not blank, and each curve's colour (read from the page's own stroke
#     attributes: every process, the domain's usage, its dashed limit) covers far more pixels
#     than its legend swatch alone could (tests/browser/png_colors.c counts them).
# Chromium is a declared test dependency (CI installs it): its absence fails, it never skips.
# OW_BUILD names the build folder (default build/), OW_HTML another page to check.
source "$(dirname "$0")/lib.sh"

OW_BUILD=${OW_BUILD:-$OW_TOP/build}
PNG_COLORS=${PNG_COLORS:-$OW_BUILD/tests/png_colors}
HTML=${OW_HTML:-$OW_TOP/tests/fixtures/golden/story-history.html}
# Pixels a curve must cover: a legend swatch is 28x3 = 84, a curve across the chart thousands.
MIN_CURVE_PIXELS=400
MIN_LIMIT_PIXELS=250 # dashed, and partly under the usage curve where usage meets it
TOLERANCE=6          # per channel: colour management may shift a channel by a step or two

CHROMIUM=
for c in chromium chromium-browser google-chrome; do
	command -v "$c" >/dev/null && CHROMIUM=$c && break
done
[ -n "$CHROMIUM" ] || fail "chromium is not installed (apt-get install chromium): the HTML report's browser test needs it"
[ -x "$PNG_COLORS" ] || fail "$PNG_COLORS is missing: build it with 'make all' (needs libpng-dev)"
[ -r "$HTML" ] || fail "cannot read $HTML"

# Self-contained: the only URL is the SVG namespace; nothing to run.
urls=$(grep -o 'https\?://[^"'"'"' <>]*' "$HTML" | grep -v '^http://www.w3.org/2000/svg$' | sort -u)
[ -z "$urls" ] || fail "the page refers to the network: $urls"
grep -qi '<script' "$HTML" && fail "the page holds a <script>"

cp "$HTML" "$OW_TMP/page.html"
profile=$OW_TMP/chromium-profile # removed with OW_TMP by ow_cleanup
chromium_run() {
	timeout 90 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --no-first-run \
		--disable-extensions --disable-dev-shm-usage --hide-scrollbars \
		--force-device-scale-factor=1 --user-data-dir="$profile" \
		--window-size=1280,2000 "$@" "file://$OW_TMP/page.html"
}
chromium_run --screenshot="$OW_TMP/shot.png" >"$OW_TMP/chromium.log" 2>&1 || {
	tail -20 "$OW_TMP/chromium.log" >&2
	fail "$CHROMIUM could not take a screenshot"
}
[ -s "$OW_TMP/shot.png" ] || fail "$CHROMIUM wrote no screenshot"
chromium_run --dump-dom >"$OW_TMP/dom.html" 2>"$OW_TMP/chromium-dom.log" || {
	tail -20 "$OW_TMP/chromium-dom.log" >&2
	fail "$CHROMIUM could not dump the DOM"
}

# ---- the DOM the browser built ----
dom=$OW_TMP/dom.html
# One element per line, attributes kept: <path class="series" data-pid=... data-points=... stroke=...>
grep -o '<path class="series"[^>]*>' "$dom" >"$OW_TMP/series" || fail "no chart curve in the DOM"
n_series=$(wc -l <"$OW_TMP/series")
n_procs=$(grep -c 'data-pid="[0-9]*"' "$OW_TMP/series")
[ "$n_procs" -ge 3 ] || fail "expected a curve for each of the 3 processes, got $n_procs"
grep -q 'data-series="limit"' "$OW_TMP/series" || fail "no limit curve"
grep -q 'data-series="usage"' "$OW_TMP/series" || fail "no usage curve"
assert_eq "curves: processes + usage + limit" $((n_procs + 2)) "$n_series"
while read -r line; do
	points=$(sed -n 's/.*data-points="\([0-9]*\)".*/\1/p' <<<"$line")
	[ "${points:-0}" -gt 1 ] || fail "a curve with ${points:-no} points: $line"
done <"$OW_TMP/series"
assert_eq "kill markers" 1 "$(grep -o '<g class="kill" data-kill="[0-9]*"' "$dom" | wc -l)"
sed -n 's/.*data-pid="\([0-9]*\)".*/\1/p' "$OW_TMP/series" | while read -r pid; do
	grep -q "<li data-pid=\"$pid\"" "$dom" || fail "no legend entry for the curve of pid $pid"
done || exit 1
grep -q 'id="verdict"' "$dom" || fail "no verdict section"
grep -q 'id="kills"' "$dom" || fail "no kill chain"

# ---- the pixels ----
stroke_of() { sed -n 's/.*stroke="\(#[0-9a-fA-F]\{6\}\)".*/\1/p'; }
proc_colours=$(grep 'data-pid=' "$OW_TMP/series" | stroke_of)
usage_colour=$(grep 'data-series="usage"' "$OW_TMP/series" | stroke_of)
limit_colour=$(grep 'data-series="limit"' "$OW_TMP/series" | stroke_of)
[ "$(sort -u <<<"$proc_colours" | wc -l)" -eq "$n_procs" ] ||
	fail "the process curves do not have distinct colours: $(tr '\n' ' ' <<<"$proc_colours")"

# shellcheck disable=SC2086 # one argument per colour
"$PNG_COLORS" --tolerance "$TOLERANCE" "$OW_TMP/shot.png" '#ffffff' $proc_colours \
	"$usage_colour" "$limit_colour" >"$OW_TMP/counts" || fail "png_colors failed on the screenshot"
count_of() { awk -v c="$1" '$1 == c { print $2; exit }' "$OW_TMP/counts"; }
read -r width height < <(sed -n 's/^size \([0-9]*\)x\([0-9]*\)$/\1 \2/p' "$OW_TMP/counts")
[ -n "$width" ] || fail "png_colors printed no size: $(cat "$OW_TMP/counts")"
total=$((width * height))
white=$(count_of '#ffffff')
# Not blank: text, tables and the chart cover well over 1% of a 1280x2000 page.
[ $((total - white)) -ge $((total / 100)) ] ||
	fail "the screenshot is (nearly) blank: $((total - white)) of $total pixels are not white"
for c in $proc_colours $usage_colour; do
	n=$(count_of "$c")
	[ "${n:-0}" -ge "$MIN_CURVE_PIXELS" ] ||
		fail "colour $c covers ${n:-0} pixels, fewer than $MIN_CURVE_PIXELS: its curve was not drawn"
done
n=$(count_of "$limit_colour")
[ "${n:-0}" -ge "$MIN_LIMIT_PIXELS" ] ||
	fail "the limit's colour $limit_colour covers ${n:-0} pixels, fewer than $MIN_LIMIT_PIXELS"
echo "    $(tr '\n' ' ' <"$OW_TMP/counts")"
exit 0
