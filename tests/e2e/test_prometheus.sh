#!/usr/bin/env bash
# A real Prometheus (Debian's `prometheus`) scrapes the recorder's /metrics every second while a
# leaker is OOM-killed in a 128 MiB memory cgroup. Checks the endpoint itself with curl (the
# exposition passes `promtool check metrics`, HELP and TYPE lines, build_info, 404 and 405),
# that an explicit --listen on a taken port fails the start with exit 1, then waits (at most
# 30 s) until Prometheus's own query API returns oomwitness_kills_total for the cgroup with
# value 1 and labels killer="kernel", domain_kind="memcg". Prometheus is stopped before
# lib.sh's cleanup removes its data (in OW_TMP), also when the test fails. Never skipped for a
# missing package.
source "$(dirname "$0")/lib.sh"
ow_require_root
for tool in prometheus promtool curl jq; do
	command -v "$tool" >/dev/null ||
		fail "$tool is not installed: scripts/install-deps.sh installs it (never skipped)"
done

# A TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
	local port i
	for i in $(seq 50); do
		port=$((20000 + RANDOM % 40000))
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || {
			echo "$port"
			return 0
		}
	done
	return 1
}

# wait_for SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds; false on timeout.
wait_for() {
	local deadline=$(($(ow_now_us) + $1 * 1000000))
	shift
	until "$@"; do
		[ "$(ow_now_us)" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

rec_port=$(free_port) || fail "no free TCP port for the recorder"
metrics=http://127.0.0.1:$rec_port/metrics
ow_record_start --listen "127.0.0.1:$rec_port"
grep -q "serving metrics at $metrics" "$OW_TMP/record.log" ||
	fail "the recorder does not say it serves $metrics: $(cat "$OW_TMP/record.log")"

# 1. The endpoint, by hand.
curl -fsS -o "$OW_TMP/m0.txt" -D "$OW_TMP/m0.head" "$metrics" || fail "GET $metrics failed"
grep -qi '^content-type: text/plain; version=0.0.4' "$OW_TMP/m0.head" ||
	fail "wrong Content-Type: $(cat "$OW_TMP/m0.head")"
promtool check metrics <"$OW_TMP/m0.txt" >"$OW_TMP/promtool.out" 2>&1 ||
	fail "promtool check metrics: $(cat "$OW_TMP/promtool.out")"
version=$("$OW" --version | awk 'NR == 1 { print $2 }')
grep -qxF "oomwitness_build_info{version=\"$version\"} 1" "$OW_TMP/m0.txt" ||
	fail "no build_info for version $version"
for m in kills_total incidents_total events_lost_total sampler_samples_total \
	sampler_cpu_seconds_total sampler_last_cpu_seconds start_time_seconds; do
	grep -q "^# HELP oomwitness_$m " "$OW_TMP/m0.txt" || fail "no HELP line for oomwitness_$m"
	grep -q "^# TYPE oomwitness_$m \(counter\|gauge\)$" "$OW_TMP/m0.txt" ||
		fail "no TYPE line for oomwitness_$m"
done
assert_eq "GET / status" 404 "$(curl -s -o /dev/null -w '%{http_code}' "${metrics%metrics}")"
assert_eq "POST /metrics status" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$metrics")"

# 2. An explicit --listen whose port is taken (by the first recorder) fails the start.
timeout 30 "$OW" record --db "$OW_TMP/second.db" --interval 0 --listen "127.0.0.1:$rec_port" \
	2>"$OW_TMP/second.log"
assert_eq "exit code of a recorder whose --listen port is taken" 1 "$?"
grep -q "cannot serve metrics: binding 127.0.0.1:$rec_port: Address already in use" \
	"$OW_TMP/second.log" || fail "unclear message for a taken port: $(cat "$OW_TMP/second.log")"

# 3. A real Prometheus scraping the recorder every second.
prom_port=$(free_port) || fail "no free TCP port for Prometheus"
prom=http://127.0.0.1:$prom_port
cat >"$OW_TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: oomwitness
    static_configs:
      - targets: ['127.0.0.1:$rec_port']
EOF
prometheus --config.file="$OW_TMP/prometheus.yml" --storage.tsdb.path="$OW_TMP/prom" \
	--web.listen-address="127.0.0.1:$prom_port" >"$OW_TMP/prometheus.log" 2>&1 &
prom_pid=$!
disown "$prom_pid" # stopped below: no job notice
# Before lib.sh's cleanup removes OW_TMP: SIGTERM, at most 5 s to flush, then SIGKILL.
prom_stop() {
	kill -TERM "$prom_pid" 2>/dev/null
	ow_wait_dead "$prom_pid" 5 || kill -9 "$prom_pid" 2>/dev/null
	ow_wait_dead "$prom_pid" 2
}
trap 'prom_stop; ow_cleanup' EXIT

# query PROMQL: prints the result vector of Prometheus's instant query API as JSON.
query() {
	curl -fs --max-time 2 --data-urlencode "query=$1" "$prom/api/v1/query" |
		jq -c '.data.result'
}
target_up() {
	[ "$(query 'up{job="oomwitness"}' | jq -r '.[0].value[1]' 2>/dev/null)" = 1 ]
}
wait_for 30 target_up || {
	tail -20 "$OW_TMP/prometheus.log" >&2
	fail "Prometheus did not scrape the recorder (up == 1) within 30 s"
}

# 4. One real OOM kill in a memory cgroup.
cg_name=oomwitness-e2e-prom-$$
ow_cgroup_create "$cg_name" 128
ow_spawn "$OW_CG_DIR" --name leaker --grow-mib-s 64
leaker=$OW_LAST_PID
ow_wait_dead "$leaker" 60 || fail "the leaker was not OOM-killed within 60 s"
ow_wait_recorded_kills 1 10 || fail "no kill recorded: $(cat "$OW_TMP/record.log")"
kill_time_us=$(ow_now_us)

curl -fsS -o "$OW_TMP/m1.txt" "$metrics" || fail "GET $metrics after the kill failed"
want="oomwitness_kills_total{killer=\"kernel\",domain_kind=\"memcg\",cgroup=\"/$cg_name\","
want+="container=\"\"} 1"
grep -qxF "$want" "$OW_TMP/m1.txt" ||
	fail "no line '$want' in /metrics: $(grep kills_total "$OW_TMP/m1.txt")"
grep -qx "oomwitness_incidents_total [1-9][0-9]*" "$OW_TMP/m1.txt" || fail "no incident counted"
grep -qx "oomwitness_kernel_hook_kills_total [1-9][0-9]*" "$OW_TMP/m1.txt" ||
	fail "the kernel hook's kill is not counted"

# 5. Prometheus has it: one series for the cgroup, value 1, the right labels.
kill_in_prometheus() {
	query oomwitness_kills_total >"$OW_TMP/q.json" &&
		[ "$(jq -r --arg cg "/$cg_name" '[.[] | select(.metric.cgroup == $cg)] | length' \
			"$OW_TMP/q.json")" = 1 ] &&
		[ "$(jq -r --arg cg "/$cg_name" '.[] | select(.metric.cgroup == $cg) | .value[1]' \
			"$OW_TMP/q.json")" = 1 ]
}
wait_for 30 kill_in_prometheus ||
	fail "Prometheus did not return the kill within 30 s: $(cat "$OW_TMP/q.json" 2>/dev/null)"
seen_s=$(awk -v a="$kill_time_us" -v b="$(ow_now_us)" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
series=$(jq -c --arg cg "/$cg_name" '.[] | select(.metric.cgroup == $cg) | .metric' \
	"$OW_TMP/q.json")
assert_eq "killer" kernel "$(jq -r .killer <<<"$series")"
assert_eq "domain_kind" memcg "$(jq -r .domain_kind <<<"$series")"
assert_eq "job" oomwitness "$(jq -r .job <<<"$series")"
assert_eq "build_info in Prometheus" 1 \
	"$(query "oomwitness_build_info{version=\"$version\"}" | jq -r '.[0].value[1]')"

latency=$(query 'scrape_duration_seconds{job="oomwitness"}' | jq -r '.[0].value[1]')
echo "    the kill was in Prometheus ${seen_s}s after it was recorded; last scrape took" \
	"$(awk -v s="$latency" 'BEGIN { printf "%.2f", s * 1000 }') ms" >&2
ow_record_stop
