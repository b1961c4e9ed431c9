/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the /dev/kmsg parser (src/capture/kmsg.c): records as the kernel's
 * devkmsg_read() writes them (prefix, "\xHH" escapes, ",caller=" with CONFIG_PRINTK_CALLER,
 * " KEY=value" lines), and the OOM killer's lines as mm/oom_kill.c prints them in 4.19, 5.4,
 * 5.15, 6.1 and 6.8: the invoked line, the oom-kill summary (memcg and global), the "Killed
 * process" line with and without its 5.x fields, the reaper's line. Each record is parsed from
 * an exact-size heap copy without a NUL, so that ASan sees any read past it. Hostile comms
 * and cgroup names, malformed prefixes and over-long texts must parse safely.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/kmsg.h"

#define KIB 1024ull

static struct ow_kmsg_record rec;

/* Parses the first len bytes of s from a heap copy of exactly len bytes. */
static int parse_n(const char *s, size_t len)
{
	char *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, s, len);
	r = ow_kmsg_parse(copy, len, &rec);
	free(copy);
	return r;
}

static int parse(const char *s)
{
	return parse_n(s, strlen(s));
}

/* ---- the record ---- */

static void test_record_prefix(void **state)
{
	(void)state;
	assert_int_equal(parse("6,339,5140900,-;NET: Registered PF_INET6 protocol family\n"), 0);
	assert_int_equal(rec.prio, 6);
	assert_int_equal(rec.seq, 339);
	assert_int_equal(rec.time_ns, 5140900ull * 1000);
	assert_false(rec.continued);
	assert_string_equal(rec.text, "NET: Registered PF_INET6 protocol family");
	assert_int_equal(rec.text_len, strlen(rec.text));
	assert_int_equal(rec.n_props, 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	assert_int_equal(rec.fields, 0);
}

static void test_record_caller_and_props(void **state)
{
	(void)state;
	/* CONFIG_PRINTK_CALLER adds ",caller="; a device's message carries its dictionary. */
	assert_int_equal(parse("3,1302,148213843,-,caller=T85;usb 1-1: device descriptor "
			       "read/64, error -71\n SUBSYSTEM=usb\n DEVICE=c189:1\n"),
			 0);
	assert_int_equal(rec.prio, 3);
	assert_int_equal(rec.seq, 1302);
	assert_string_equal(rec.text, "usb 1-1: device descriptor read/64, error -71");
	assert_int_equal(rec.n_props, 2);
	/* Facility 0 kernel, and a user-space write (facility 1, "user"). */
	assert_int_equal(parse("14,1400,150000000,-;hello from user space\n"), 0);
	assert_int_equal(rec.prio, 14);
	/* A continued fragment (flag 'c', kernels before the records were merged). */
	assert_int_equal(parse("4,20,30,c;partial"), 0);
	assert_true(rec.continued);
	assert_string_equal(rec.text, "partial");
}

static void test_record_escapes(void **state)
{
	(void)state;
	/* devkmsg escapes bytes below ' ', from 0x7f, and '\' itself. */
	assert_int_equal(parse("4,1,2,-;a\\x0ab\\x5cc\\xe2\\x82\\xac\\x00d\n"), 0);
	assert_int_equal(rec.text_len, 10);
	assert_memory_equal(rec.text, "a\nb\\c\xe2\x82\xac\0d", 10);
	assert_int_equal(rec.text[10], '\0');
	/* Not an escape: kept as it is. */
	assert_int_equal(parse("4,1,2,-;\\x4 \\q \\x\n"), 0);
	assert_string_equal(rec.text, "\\x4 \\q \\x");
	/* An escape cut by the end of the buffer. */
	assert_int_equal(parse("4,1,2,-;ab\\x4"), 0);
	assert_string_equal(rec.text, "ab\\x4");
}

static void test_record_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"6",
		"6,",
		"6,1",
		"6,1,2",
		"6,1,2,",
		"6,1,2,-",
		"6,1,2,-text",
		"6,1,2,x;text",
		"x,1,2,-;text",
		"6,1,2,-,caller=T1\n;text",
		"-6,1,2,-;text",
		"4294967296,1,2,-;text",
		"6,18446744073709551616,2,-;text",
		"6,1,18446744073709552,-;text", /* microseconds that overflow nanoseconds */
		"6,1,2,-;text\nSUBSYSTEM=usb\n", /* a property line without its space */
		"6,1,2,-;text\n \n",
		"6,1,2,-;text\n =x\n",
		"6,1,2,-;text\n KEY\n",
		"6,1,2,-;text\n\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i]) != -EINVAL)
			fail_msg("accepted: \"%s\"", bad[i]);
	}
	assert_int_equal(ow_kmsg_parse(NULL, 0, &rec), -EINVAL);
	/* An empty text and a last property line without its '\n' are fine. */
	assert_int_equal(parse("6,1,2,-;"), 0);
	assert_int_equal(rec.text_len, 0);
	assert_int_equal(parse("6,1,2,-;x\n DEVICE=+acpi:PNP0A03:00"), 0);
	assert_int_equal(rec.n_props, 1);
}

static void test_record_long_text(void **state)
{
	size_t len = 8192;
	char *buf = malloc(len);

	(void)state;
	assert_non_null(buf);
	memcpy(buf, "6,1,2,-;", 8);
	memset(buf + 8, 'a', len - 8);
	assert_int_equal(ow_kmsg_parse(buf, len, &rec), 0);
	assert_true(rec.text_truncated);
	assert_int_equal(rec.text_len, OW_KMSG_TEXT_MAX - 1);
	assert_int_equal(strlen(rec.text), OW_KMSG_TEXT_MAX - 1);
	/* Escapes count decoded: 4 bytes of record, one of text. */
	for (size_t i = 8; i + 4 <= len; i += 4)
		memcpy(buf + i, "\\x41", 4);
	assert_int_equal(ow_kmsg_parse(buf, len, &rec), 0);
	assert_false(rec.text_truncated);
	assert_int_equal(rec.text_len, (len - 8) / 4);
	free(buf);
}

/* ---- the invoked line ---- */

static void test_invoked_6x(void **state)
{
	(void)state;
	/* 6.1, a memcg OOM charged from a page fault. */
	assert_int_equal(parse("4,1234,5678901234,-;memhog invoked oom-killer: "
			       "gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, "
			       "oom_score_adj=1000\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_INVOKED);
	assert_string_equal(rec.comm, "memhog");
	assert_int_equal(rec.gfp_mask, 0x140cca);
	assert_int_equal(rec.order, 0);
	assert_int_equal(rec.oom_score_adj, 1000);
	assert_int_equal(rec.fields, OW_KMSG_F_COMM | OW_KMSG_F_GFP_MASK | OW_KMSG_F_ORDER |
					     OW_KMSG_F_OOM_SCORE_ADJ);
	assert_string_equal(ow_kmsg_kind_name(rec.kind), "oom-invoked");
	/* 5.15, sysrq-f: no allocation (order -1), a kworker at a negative adj. */
	assert_int_equal(parse("4,812,9183332,-;kworker/0:1 invoked oom-killer: "
			       "gfp_mask=0xcc0(GFP_KERNEL), order=-1, oom_score_adj=-1000\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_INVOKED);
	assert_string_equal(rec.comm, "kworker/0:1");
	assert_int_equal(rec.gfp_mask, 0xcc0);
	assert_int_equal(rec.order, -1);
	assert_int_equal(rec.oom_score_adj, -1000);
	/* %#x of no flags is "0", and %pGg of none is "()". */
	assert_int_equal(parse("4,9,10,-;sh invoked oom-killer: gfp_mask=0(), order=0, "
			       "oom_score_adj=0\n"),
			 0);
	assert_true(rec.fields & OW_KMSG_F_GFP_MASK);
	assert_int_equal(rec.gfp_mask, 0);
}

static void test_invoked_419(void **state)
{
	(void)state;
	/* 4.19 printed the nodemask in this line. */
	assert_int_equal(parse("4,5001,733042117,-;stress-ng-vm invoked oom-killer: "
			       "gfp_mask=0x6200ca(GFP_HIGHUSER_MOVABLE), nodemask=(null), order=0, "
			       "oom_score_adj=0\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_INVOKED);
	assert_string_equal(rec.comm, "stress-ng-vm");
	assert_int_equal(rec.gfp_mask, 0x6200ca);
	assert_int_equal(rec.order, 0);
	assert_int_equal(rec.oom_score_adj, 0);
}

/* ---- the oom-kill summary ---- */

static void test_summary_memcg(void **state)
{
	(void)state;
	assert_int_equal(parse("6,1260,5678901500,-;oom-kill:constraint=CONSTRAINT_MEMCG,"
			       "nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/a,"
			       "task_memcg=/a/b,task=memhog,pid=1234,uid=0\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_SUMMARY);
	assert_int_equal(rec.scope, OW_KMSG_SCOPE_MEMCG);
	assert_int_equal(rec.constraint, OW_KMSG_CONSTRAINT_MEMCG);
	assert_string_equal(rec.cpuset, "/");
	assert_string_equal(rec.oom_memcg, "/a");
	assert_string_equal(rec.task_memcg, "/a/b");
	assert_string_equal(rec.comm, "memhog");
	assert_int_equal(rec.pid, 1234);
	assert_int_equal(rec.uid, 0);
	assert_int_equal(rec.fields, OW_KMSG_F_CONSTRAINT | OW_KMSG_F_CPUSET | OW_KMSG_F_OOM_MEMCG |
					     OW_KMSG_F_TASK_MEMCG | OW_KMSG_F_COMM | OW_KMSG_F_PID |
					     OW_KMSG_F_UID);
	/* 6.8 on systemd: a docker container's scope; cpuset= is a name, not a path. */
	assert_int_equal(parse("6,20451,88210412345,-,caller=T31337;oom-kill:"
			       "constraint=CONSTRAINT_MEMCG,nodemask=(null),"
			       "cpuset=docker-3f4e1b2a.scope,mems_allowed=0-1,"
			       "oom_memcg=/system.slice/docker-3f4e1b2a.scope,"
			       "task_memcg=/system.slice/docker-3f4e1b2a.scope,task=java,"
			       "pid=31337,uid=1000\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_SUMMARY);
	assert_string_equal(rec.cpuset, "docker-3f4e1b2a.scope");
	assert_string_equal(rec.oom_memcg, "/system.slice/docker-3f4e1b2a.scope");
	assert_string_equal(rec.comm, "java");
	assert_int_equal(rec.pid, 31337);
	assert_int_equal(rec.uid, 1000);
}

static void test_summary_global(void **state)
{
	(void)state;
	/* 5.15: a global OOM says global_oom, a bare word, where oom_memcg= would be. */
	assert_int_equal(parse("6,3120,402113456,-;oom-kill:constraint=CONSTRAINT_NONE,"
			       "nodemask=(null),cpuset=/,mems_allowed=0,global_oom,"
			       "task_memcg=/user.slice/user-1000.slice/session-2.scope,task=stress,"
			       "pid=2312,uid=1000\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_SUMMARY);
	assert_int_equal(rec.scope, OW_KMSG_SCOPE_SYSTEM);
	assert_int_equal(rec.constraint, OW_KMSG_CONSTRAINT_NONE);
	assert_false(rec.fields & OW_KMSG_F_OOM_MEMCG);
	assert_string_equal(rec.oom_memcg, "");
	assert_string_equal(rec.task_memcg, "/user.slice/user-1000.slice/session-2.scope");
	assert_string_equal(rec.comm, "stress");
	assert_int_equal(rec.pid, 2312);
	/* A mempolicy OOM on a 2-node machine: nodemask lists hold commas. */
	assert_int_equal(parse("6,3121,402113457,-;oom-kill:constraint=CONSTRAINT_MEMORY_POLICY,"
			       "nodemask=0,2-3,cpuset=/,mems_allowed=0-3,global_oom,task_memcg=/,"
			       "task=numa,pid=77,uid=-1\n"),
			 0);
	assert_int_equal(rec.constraint, OW_KMSG_CONSTRAINT_MEMORY_POLICY);
	assert_int_equal(rec.scope, OW_KMSG_SCOPE_SYSTEM);
	assert_string_equal(rec.task_memcg, "/");
	assert_int_equal(rec.pid, 77);
	assert_int_equal(rec.uid, UINT32_MAX);
}

static void test_summary_old_and_reordered(void **state)
{
	(void)state;
	/* No CONFIG_CPUSETS: no cpuset= nor mems_allowed=. */
	assert_int_equal(parse("6,1,2,-;oom-kill:constraint=CONSTRAINT_CPUSET,nodemask=(null),"
			       "global_oom,task_memcg=/,task=a,pid=5,uid=0"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_SUMMARY);
	assert_int_equal(rec.constraint, OW_KMSG_CONSTRAINT_CPUSET);
	assert_false(rec.fields & OW_KMSG_F_CPUSET);
	/* Any order; an unknown field is skipped; the constraint alone gives the scope. */
	assert_int_equal(parse("6,1,2,-;oom-kill:pid=42,newfield=x,task=t,"
			       "constraint=CONSTRAINT_MEMCG"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_SUMMARY);
	assert_int_equal(rec.pid, 42);
	assert_string_equal(rec.comm, "t");
	assert_int_equal(rec.scope, OW_KMSG_SCOPE_MEMCG);
	assert_false(rec.fields & OW_KMSG_F_UID);
	/* Nothing we know: not a summary. */
	assert_int_equal(parse("6,1,2,-;oom-kill:"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	assert_int_equal(parse("6,1,2,-;oom-kill:pid=x,uid=99999999999"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
}

static void test_summary_hostile(void **state)
{
	(void)state;
	/* A comm that forges fields: the kernel's pid and uid, printed last, win. */
	assert_int_equal(parse("6,1,2,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),"
			       "cpuset=/,mems_allowed=0,oom_memcg=/a,task_memcg=/a,task=x,pid=1,"
			       "uid=0,pid=4242,uid=1001\n"),
			 0);
	assert_int_equal(rec.pid, 4242);
	assert_int_equal(rec.uid, 1001);
	assert_string_equal(rec.comm, "x");
	/* A cgroup name that forges oom_memcg: the first one wins. */
	assert_int_equal(parse("6,1,2,-;oom-kill:constraint=CONSTRAINT_MEMCG,oom_memcg=/a,"
			       "task_memcg=/a/b,oom_memcg=/evil,task=m,pid=7,uid=0\n"),
			 0);
	assert_string_equal(rec.oom_memcg, "/a");
	assert_string_equal(rec.task_memcg, "/a/b");
	/* A comm with a newline and a '\': decoded, kept as bytes. */
	assert_int_equal(parse("6,1,2,-;oom-kill:constraint=CONSTRAINT_NONE,global_oom,"
			       "task=a\\x0ab\\x5c,pid=7,uid=0\n"),
			 0);
	assert_string_equal(rec.comm, "a\nb\\");
	/* Over-long values are cut to their buffers. */
	{
		char line[4096];
		int n = snprintf(line, sizeof(line), "6,1,2,-;oom-kill:task=%0*d,task_memcg=/%0*d",
				 40, 0, 1500, 0);

		assert_int_equal(parse_n(line, (size_t)n), 0);
		assert_int_equal(strlen(rec.comm), OW_KMSG_COMM_LEN - 1);
		assert_int_equal(strlen(rec.task_memcg), OW_KMSG_PATH_MAX - 1);
	}
}

/* ---- the "Killed process" line ---- */

static void test_killed_6x(void **state)
{
	(void)state;
	/* 5.5 and later (6.1 here): UID, pgtables and oom_score_adj. */
	assert_int_equal(parse("3,1261,5678901520,-;Memory cgroup out of memory: Killed process "
			       "1234 (memhog) total-vm:123456kB, anon-rss:1234kB, file-rss:0kB, "
			       "shmem-rss:0kB, UID:0 pgtables:123kB oom_score_adj:0\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_KILLED);
	assert_int_equal(rec.scope, OW_KMSG_SCOPE_MEMCG);
	assert_int_equal(rec.pid, 1234);
	assert_string_equal(rec.comm, "memhog");
	assert_int_equal(rec.total_vm_bytes, 123456 * KIB);
	assert_int_equal(rec.anon_rss_bytes, 1234 * KIB);
	assert_int_equal(rec.file_rss_bytes, 0);
	assert_int_equal(rec.shmem_rss_bytes, 0);
	assert_int_equal(rec.uid, 0);
	assert_int_equal(rec.pgtables_bytes, 123 * KIB);
	assert_int_equal(rec.oom_score_adj, 0);
	assert_int_equal(rec.fields, OW_KMSG_F_PID | OW_KMSG_F_COMM | OW_KMSG_F_TOTAL_VM |
					     OW_KMSG_F_ANON_RSS | OW_KMSG_F_FILE_RSS |
					     OW_KMSG_F_SHMEM_RSS | OW_KMSG_F_UID |
					     OW_KMSG_F_PGTABLES | OW_KMSG_F_OOM_SCORE_ADJ);
	/* 5.15, global. */
	assert_int_equal(
		parse("3,3122,402113460,-;Out of memory: Killed process 2312 (stress) "
		      "total-vm:8393476kB, anon-rss:7820104kB, file-rss:4kB, shmem-rss:0kB, "
		      "UID:1000 pgtables:15352kB oom_score_adj:-17\n"),
		0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_KILLED);
	assert_int_equal(rec.scope, OW_KMSG_SCOPE_SYSTEM);
	assert_int_equal(rec.anon_rss_bytes, 7820104 * KIB);
	assert_int_equal(rec.uid, 1000);
	assert_int_equal(rec.oom_score_adj, -17);
	/* vm.oom_kill_allocating_task */
	assert_int_equal(parse("3,5,6,-;Out of memory (oom_kill_allocating_task): Killed process "
			       "99 (a) total-vm:4kB, anon-rss:0kB, file-rss:0kB, shmem-rss:0kB, "
			       "UID:0 pgtables:0kB oom_score_adj:0\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_KILLED);
	assert_int_equal(rec.scope, OW_KMSG_SCOPE_SYSTEM);
}

static void test_killed_old(void **state)
{
	(void)state;
	/* 4.19: the four sizes only. */
	assert_int_equal(parse("3,5010,733042200,-;Memory cgroup out of memory: Killed process "
			       "123 (foo) total-vm:1234kB, anon-rss:100kB, file-rss:0kB, "
			       "shmem-rss:0kB\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_KILLED);
	assert_int_equal(rec.pid, 123);
	assert_int_equal(rec.anon_rss_bytes, 100 * KIB);
	assert_false(rec.fields & (OW_KMSG_F_UID | OW_KMSG_F_PGTABLES | OW_KMSG_F_OOM_SCORE_ADJ));
	/* 5.4: UID came in 5.3, pgtables and oom_score_adj in 5.5. */
	assert_int_equal(parse("3,77,88,-;Out of memory: Killed process 9 (x) total-vm:8kB, "
			       "anon-rss:4kB, file-rss:4kB, shmem-rss:0kB, UID:33\n"),
			 0);
	assert_int_equal(rec.uid, 33);
	assert_true(rec.fields & OW_KMSG_F_UID);
	assert_false(rec.fields & OW_KMSG_F_PGTABLES);
	/* 4.9 and before: no message at all. */
	assert_int_equal(parse("3,1,2,-;Killed process 5 (y) total-vm:8kB, anon-rss:4kB, "
			       "file-rss:0kB, shmem-rss:0kB\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_KILLED);
	assert_int_equal(rec.scope, OW_KMSG_SCOPE_UNKNOWN);
}

static void test_killed_hostile(void **state)
{
	(void)state;
	/* A comm holding ") total-vm:" and spaces: the last one ends it. */
	assert_int_equal(parse("3,1,2,-;Out of memory: Killed process 7 (a) total-vm:1) "
			       "total-vm:8kB, anon-rss:4kB, file-rss:0kB, shmem-rss:0kB, UID:0 "
			       "pgtables:4kB oom_score_adj:0\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_KILLED);
	assert_string_equal(rec.comm, "a) total-vm:1");
	assert_int_equal(rec.total_vm_bytes, 8 * KIB);
	/* Not the OOM killer's: no total-vm, no space before the comm, a bad pid, no ": ". */
	assert_int_equal(parse("6,1,2,-;Killed process 5 (y) for good\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	assert_int_equal(rec.fields, 0);
	assert_int_equal(parse("6,1,2,-;Killed process 5(y) total-vm:8kB\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	assert_int_equal(parse("6,1,2,-;Killed process 99999999999 (y) total-vm:8kB\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	assert_int_equal(parse("6,1,2,-;xKilled process 5 (y) total-vm:8kB\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	/* Sizes that overflow in bytes, an adj out of %hd's range: left out. */
	assert_int_equal(parse("3,1,2,-;Out of memory: Killed process 5 (y) "
			       "total-vm:18014398509481984kB, anon-rss:4kB, file-rss:0kB, "
			       "shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:40000\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_KILLED);
	assert_false(rec.fields & OW_KMSG_F_TOTAL_VM);
	assert_false(rec.fields & OW_KMSG_F_OOM_SCORE_ADJ);
	assert_true(rec.fields & OW_KMSG_F_ANON_RSS);
}

/* ---- the reaper ---- */

static void test_reaped(void **state)
{
	(void)state;
	assert_int_equal(parse("6,1262,5678902000,-;oom_reaper: reaped process 1234 (memhog), now "
			       "anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_REAPED);
	assert_int_equal(rec.pid, 1234);
	assert_string_equal(rec.comm, "memhog");
	assert_true(rec.fields & OW_KMSG_F_ANON_RSS);
	assert_string_equal(ow_kmsg_kind_name(rec.kind), "oom-reaped");
	assert_int_equal(parse("6,1,2,-;oom_reaper: reaped process x (memhog), now\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
}

/* The OOM recogniser on its own, as for a dmesg or journal line. */
static void test_parse_oom_text(void **state)
{
	static const char line[] = "python3 invoked oom-killer: gfp_mask=0x100cca"
				   "(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=200";
	struct ow_kmsg_record r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.seq = 99;
	assert_int_equal(ow_kmsg_parse_oom(line, sizeof(line) - 1, &r), OW_KMSG_OOM_INVOKED);
	assert_int_equal(r.seq, 99); /* the record's own fields are left alone */
	assert_string_equal(r.comm, "python3");
	assert_int_equal(r.oom_score_adj, 200);
	/* Every prefix of it parses, and none reads past its length. */
	for (size_t n = 0; n < sizeof(line) - 1; n++) {
		char *copy = malloc(n ? n : 1);

		assert_non_null(copy);
		memcpy(copy, line, n);
		(void)ow_kmsg_parse_oom(copy, n, &r);
		free(copy);
	}
	assert_int_equal(ow_kmsg_parse_oom(NULL, 0, &r), OW_KMSG_OTHER);
	assert_string_equal(ow_kmsg_kind_name((enum ow_kmsg_kind)99), "other");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_prefix),
		cmocka_unit_test(test_record_caller_and_props),
		cmocka_unit_test(test_record_escapes),
		cmocka_unit_test(test_record_malformed),
		cmocka_unit_test(test_record_long_text),
		cmocka_unit_test(test_invoked_6x),
		cmocka_unit_test(test_invoked_419),
		cmocka_unit_test(test_summary_memcg),
		cmocka_unit_test(test_summary_global),
		cmocka_unit_test(test_summary_old_and_reordered),
		cmocka_unit_test(test_summary_hostile),
		cmocka_unit_test(test_killed_6x),
		cmocka_unit_test(test_killed_old),
		cmocka_unit_test(test_killed_hostile),
		cmocka_unit_test(test_reaped),
		cmocka_unit_test(test_parse_oom_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
