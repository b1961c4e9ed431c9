#!/usr/bin/env bash
# `make demo`: the seed story, replayed in a throwaway 256 MiB memory cgroup and recorded to a
# temporary database, then explained with `oomwitness show last`, and drawn as an HTML page
# ($OW_DEMO_HTML, default /tmp/oomwitness-demo.html).
#   victim     oom_score_adj 1000, 1 MiB   (the keydb-server of the story)
#   bystander  oom_score_adj 800, 40 MiB   (the services killed next)
#   hogger     oom_score_adj 0, +20 MiB/s  (the story's hogger ran at -1000; this host cannot
#                                           lower adj below 0, so it runs at 0)
# Needs root. Everything it creates is removed when it ends, also on Ctrl-C.
source "$(dirname "$0")/lib.sh"
ow_require_root
[ -x "$OW" ] || fail "build first: make"

cg_name=oomwitness-demo-$$
ow_cgroup_create "$cg_name" 256
cg=$OW_CG_DIR
echo "demo: recording to $OW_DB"
ow_record_start
ow_spawn "$cg" --name victim --adj 1000 --hold-mib 1 --ready-file "$OW_TMP/v.ready"
ow_spawn "$cg" --name bystander --adj 800 --hold-mib 40 --ready-file "$OW_TMP/b.ready"
ow_wait_file "$OW_TMP/v.ready" 10 && ow_wait_file "$OW_TMP/b.ready" 10 || fail "setup failed"
sleep 3 # the sampler sees the calm before the hogger starts
ow_spawn "$cg" --name hogger --adj 0 --grow-mib-s 20
hogger=$OW_LAST_PID
echo "demo: hogger (pid $hogger) grows by 20 MiB/s in memory cgroup /$cg_name (limit 256 MiB);" \
	"the OOM killer should strike in about 10 s"
ow_wait_dead "$hogger" 60 || fail "the hogger was not OOM-killed within 60 s"
ow_wait_recorded_kills 3 10
ow_record_stop
sed 's/^/demo: /' "$OW_TMP/record.log"
echo
"$OW" show --db "$OW_DB" last
html=${OW_DEMO_HTML:-/tmp/oomwitness-demo.html}
"$OW" show --db "$OW_DB" last --html "$html" && echo && echo "demo: the chart is in $html"
