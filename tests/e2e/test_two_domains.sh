#!/usr/bin/env bash
# Two memory cgroups run out at about the same time: two incidents, each with its own domain,
# and processes of one cgroup are never candidates of the other.
source "$(dirname "$0")/lib.sh"
ow_require_root

ow_cgroup_create oomwitness-e2e-a-$$ 64
cg_a=$OW_CG_DIR
ow_cgroup_create oomwitness-e2e-b-$$ 96
cg_b=$OW_CG_DIR
ow_record_start
ow_spawn "$cg_a" --name hog-a --grow-mib-s 64
a=$OW_LAST_PID
ow_spawn "$cg_b" --name hog-b --grow-mib-s 64
b=$OW_LAST_PID
ow_wait_dead "$a" 60 && ow_wait_dead "$b" 60 || fail "hogs were not OOM-killed"
ow_wait_recorded_kills 2 10 || fail "fewer than 2 kills recorded"
ow_record_stop

"$OW" list --db "$OW_DB" --json >"$OW_TMP/list.json" || fail "list failed"
assert_eq "incidents" 2 "$(jqf "$OW_TMP/list.json" 'length')"
for id in $(jqf "$OW_TMP/list.json" '.[].id'); do
	"$OW" show --db "$OW_DB" --json "$id" >"$OW_TMP/$id.json" || fail "show $id failed"
	cgroup=$(jqf "$OW_TMP/$id.json" '.domain.cgroup')
	victim=$(jqf "$OW_TMP/$id.json" '.kills[0].victim.pid')
	case $cgroup in
	/oomwitness-e2e-a-$$) assert_eq "victim of a" "$a" "$victim"; limit=$((64 << 20)) ;;
	/oomwitness-e2e-b-$$) assert_eq "victim of b" "$b" "$victim"; limit=$((96 << 20)) ;;
	*) fail "unexpected domain $cgroup" ;;
	esac
	assert_eq "limit of $cgroup" "$limit" "$(jqf "$OW_TMP/$id.json" '.domain.limit_bytes')"
	assert_jq "candidates of $cgroup stay inside it" \
		"[.kills[0].candidates[].cgroup] | length > 0 and all(. == \"$cgroup\")" "$OW_TMP/$id.json"
done
