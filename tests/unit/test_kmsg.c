/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the /dev/kmsg parser (src/capture/kmsg.c): records as the kernel's
 * devkmsg_read() writes them (prefix, "\xHH" escapes, ",caller=" with CONFIG_PRINTK_CALLER,
 * " KEY=value" lines), and the OOM killer's lines as mm/oom_kill.c prints them in 4.19, 5.4,
 * 5.15, 6.1 and 6.8: the invoked line, the oom-kill summary (memcg and global), the "Killed
 * process" line with and without its 5.x fields, the reaper's line; and the report's other
 * lines of 5.10, 6.1, 6.12 and 6.18: the stack dump's CPU line, the memcg counters, show_mem's
 * free pages, RAM and swap, the task dump's header and rows in both layouts, the
 * memory.oom.group line. Each record is parsed from an exact-size heap copy without a NUL, so
 * that ASan sees any read past it. Hostile comms and cgroup names, malformed prefixes and
 * over-long texts must parse safely. Then the reader (src/capture/kmsg_reader.c) on a
 * SOCK_SEQPACKET socket (one record per read, as /dev/kmsg) and on a scripted read().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture/kmsg.h"
#include "capture/kmsg_reader.h"

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

/* ---- the report's other lines ---- */

static void test_caller(void **state)
{
	(void)state;
	assert_int_equal(parse("4,7,8,-,caller=T4312;memhog invoked oom-killer: gfp_mask=0xcc0"
			       "(GFP_KERNEL), order=0, oom_score_adj=0\n"),
			 0);
	assert_int_equal(rec.caller_tid, 4312);
	assert_int_equal(rec.kind, OW_KMSG_OOM_INVOKED);
	/* A CPU caller (interrupt context), none, a malformed one: 0. */
	assert_int_equal(parse("6,7,8,-,caller=C1;x\n"), 0);
	assert_int_equal(rec.caller_tid, 0);
	assert_int_equal(parse("6,7,8,-;x\n"), 0);
	assert_int_equal(rec.caller_tid, 0);
	assert_int_equal(parse("6,7,8,-,caller=T9x;x\n"), 0);
	assert_int_equal(rec.caller_tid, 0);
	assert_int_equal(parse("6,7,8,-,foo=1,caller=T77;x\n"), 0);
	assert_int_equal(rec.caller_tid, 77);
	assert_int_equal(parse("6,7,8,-,caller=T99999999999;x\n"), 0);
	assert_int_equal(rec.caller_tid, 0);
}

static void test_cpu_line(void **state)
{
	(void)state;
	/* 5.10 and 6.1 (Debian): no UID. */
	assert_int_equal(parse("4,1,2,-;CPU: 1 PID: 2312 Comm: stress Not tainted 5.10.0-28-amd64 "
			       "#1 Debian 5.10.209-2\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_CPU);
	assert_int_equal(rec.pid, 2312);
	assert_string_equal(rec.comm, "stress");
	assert_int_equal(rec.fields, OW_KMSG_F_PID | OW_KMSG_F_COMM);
	assert_string_equal(ow_kmsg_kind_name(rec.kind), "oom-cpu");
	/* 6.12: UID (the euid) came in 6.10. */
	assert_int_equal(parse("4,1,2,-;CPU: 3 UID: 1000 PID: 4312 Comm: python3 Not tainted "
			       "6.12.12-amd64 #1 Debian 6.12.12-1\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_CPU);
	assert_int_equal(rec.pid, 4312);
	assert_int_equal(rec.uid, 1000);
	assert_true(rec.fields & OW_KMSG_F_UID);
	assert_string_equal(rec.comm, "python3");
	/* 6.18 (this project's machine): the preemption model at the end, a trailing space. */
	assert_int_equal(parse("4,214949,12860141198,-;CPU: 1 UID: 0 PID: 27159 Comm: leak Not "
			       "tainted 6.18.44-fc-v657 #1 PREEMPT(none) \n"),
			 0);
	assert_int_equal(rec.pid, 27159);
	assert_string_equal(rec.comm, "leak");
	/* Tainted, a comm with a space, kdump loaded. */
	assert_int_equal(parse("4,1,2,-;CPU: 12 PID: 483880 Comm: Web Content Tainted: P"
			       "           O       6.8.0-50-generic #51-Ubuntu\n"),
			 0);
	assert_string_equal(rec.comm, "Web Content");
	assert_int_equal(parse("4,1,2,-;CPU: 0 PID: 7 Comm: kworker/0:1 Kdump: loaded Not tainted "
			       "6.1.0 #1\n"),
			 0);
	assert_string_equal(rec.comm, "kworker/0:1");
	/* A comm that holds a taint word: the last one within 20 bytes ends it. */
	assert_int_equal(parse("4,1,2,-;CPU: 0 PID: 7 Comm: a Not tainted Not tainted 6.1.0 #1\n"),
			 0);
	assert_string_equal(rec.comm, "a Not tainted");
	/* No taint word (a vendor's format): up to the first space. */
	assert_int_equal(parse("4,1,2,-;CPU: 0 PID: 7 Comm: foo bar\n"), 0);
	assert_string_equal(rec.comm, "foo");
	/* Not a CPU line. */
	assert_int_equal(parse("4,1,2,-;CPU: 0 PID: x Comm: foo\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	assert_int_equal(parse("4,1,2,-;CPU: 0 UID: -1 PID: 7 Comm: foo\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	assert_int_equal(parse("4,1,2,-;CPU: 0 PID: 7\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	/* An invoked line whose comm starts like one is still an invoked line. */
	assert_int_equal(
		parse("4,1,2,-;CPU: 1 PID: 2 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL)"
		      ", order=0, oom_score_adj=0\n"),
		0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_INVOKED);
	assert_string_equal(rec.comm, "CPU: 1 PID: 2");
}

static void test_memcg_counters(void **state)
{
	(void)state;
	assert_int_equal(parse("6,214976,12860141339,-;memory: usage 16384kB, limit 16384kB, "
			       "failcnt 9271\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_MEMCG_USAGE);
	assert_int_equal(rec.counter, OW_KMSG_COUNTER_MEMORY);
	assert_int_equal(rec.usage_bytes, 16384 * KIB);
	assert_int_equal(rec.limit_bytes, 16384 * KIB);
	assert_int_equal(rec.failcnt, 9271);
	assert_int_equal(rec.fields, OW_KMSG_F_USAGE | OW_KMSG_F_LIMIT | OW_KMSG_F_FAILCNT);
	/* v1: memory+swap and kmem, unlimited ("max" is PAGE_COUNTER_MAX pages). */
	assert_int_equal(parse("6,1,2,-;memory+swap: usage 16384kB, limit 9007199254740988kB, "
			       "failcnt 0\n"),
			 0);
	assert_int_equal(rec.counter, OW_KMSG_COUNTER_MEMSW);
	assert_int_equal(rec.limit_bytes, 9007199254740988ull * KIB);
	assert_int_equal(parse("6,1,2,-;kmem: usage 212kB, limit 9007199254740988kB, failcnt 0\n"),
			 0);
	assert_int_equal(rec.counter, OW_KMSG_COUNTER_KMEM);
	/* v2 (5.10 to 6.12): swap. */
	assert_int_equal(parse("6,1,2,-;swap: usage 1024kB, limit 524288kB, failcnt 3\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_MEMCG_USAGE);
	assert_int_equal(rec.counter, OW_KMSG_COUNTER_SWAP);
	assert_int_equal(rec.usage_bytes, 1024 * KIB);
	assert_int_equal(rec.limit_bytes, 524288 * KIB);
	/* Malformed: a missing part, an overflow, something after it. */
	assert_int_equal(parse("6,1,2,-;memory: usage 1kB, limit 1kB\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	assert_int_equal(parse("6,1,2,-;memory: usage 18014398509481984kB, limit 1kB, failcnt 0\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	assert_int_equal(parse("6,1,2,-;memory: usage 1kB, limit 1kB, failcnt 0 and more\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	assert_int_equal(rec.fields, 0);
}

static void test_show_mem(void **state)
{
	(void)state;
	/* One printk with newlines inside: one record, "\x0a" escaped (6.1). */
	assert_int_equal(
		parse("4,1,2,-;active_anon:12 inactive_anon:941203 isolated_anon:0\\x0a "
		      "active_file:95 inactive_file:103 isolated_file:0\\x0a unevictable:0 "
		      "dirty:0 writeback:0\\x0a slab_reclaimable:5012 slab_unreclaimable:9120"
		      "\\x0a mapped:120 shmem:230 pagetables:2100\\x0a sec_pagetables:0 "
		      "bounce:0\\x0a kernel_misc_reclaimable:0\\x0a free:21538 free_pcp:62 "
		      "free_cma:0\n"),
		0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_MEMINFO);
	assert_int_equal(rec.pages, 21538);
	assert_true(rec.fields & OW_KMSG_F_PAGES);
	/* 4.x: free: on the slab line. */
	assert_int_equal(parse("4,1,2,-;active_anon:1 inactive_anon:2 isolated_anon:0\\x0a "
			       "unevictable:0 dirty:0 writeback:0 unstable:0\\x0a free:77 "
			       "slab_reclaimable:1\n"),
			 0);
	assert_int_equal(rec.pages, 77);
	/* No free: at all. */
	assert_int_equal(parse("4,1,2,-;active_anon:1 nr_free:5 free_pcp:1\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	assert_int_equal(parse("4,1,2,-;2097022 pages RAM\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_RAM_PAGES);
	assert_int_equal(rec.pages, 2097022);
	assert_int_equal(parse("4,1,2,-;0 pages HighMem/MovableOnly\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	assert_int_equal(parse("4,1,2,-;Total swap = 2097148kB\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_SWAP_TOTAL);
	assert_int_equal(rec.limit_bytes, 2097148 * KIB);
	assert_int_equal(parse("4,1,2,-;Total swap = 0kB\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_SWAP_TOTAL);
	assert_int_equal(rec.limit_bytes, 0);
	assert_int_equal(parse("4,1,2,-;Total swap = lots\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
}

static void test_tasks_header(void **state)
{
	(void)state;
	assert_int_equal(parse("6,1,2,-;Tasks state (memory values in pages):\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_TASKS_STATE);
	/* 4.19 to 6.7 (5.10, 6.1). */
	assert_int_equal(parse("6,1,2,-;[  pid  ]   uid  tgid total_vm      rss pgtables_bytes "
			       "swapents oom_score_adj name\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_TASKS_HEADER);
	assert_memory_equal(&rec.layout, &ow_kmsg_layout_4_19, sizeof(rec.layout));
	/* 6.8 and later (6.12, 6.18). */
	assert_int_equal(parse("6,1,2,-;[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file "
			       "rss_shmem pgtables_bytes swapents oom_score_adj name\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_TASKS_HEADER);
	assert_memory_equal(&rec.layout, &ow_kmsg_layout_6_8, sizeof(rec.layout));
	/* 4.9: columns it does not know are kept as unknown, to be skipped. */
	assert_int_equal(parse("6,1,2,-;[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds "
			       "swapents oom_score_adj name\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_TASKS_HEADER);
	assert_int_equal(rec.layout.n_cols, 8);
	assert_int_equal(rec.layout.cols[4], OW_KMSG_COL_UNKNOWN);
	assert_int_equal(rec.layout.cols[6], OW_KMSG_COL_SWAPENTS);
	/* Not headers: no name, no known column, a stray word. */
	assert_int_equal(parse("6,1,2,-;[  pid  ]   uid  tgid total_vm\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	assert_int_equal(parse("6,1,2,-;[  pid  ] foo bar name\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	assert_int_equal(parse("6,1,2,-;[  pid  ]   uid Tgid name\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	assert_int_equal(parse("6,1,2,-;[ pid ]\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	assert_int_equal(parse("6,1,2,-;[drm] Initialized\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	assert_int_equal(rec.layout.n_cols, 0);
	{
		/* More columns than kept. */
		char line[512];
		int n = snprintf(line, sizeof(line), "6,1,2,-;[ pid ]");

		for (int i = 0; i < OW_KMSG_TASK_COLS_MAX + 1; i++)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " rss");
		n += snprintf(line + n, sizeof(line) - (size_t)n, " name");
		assert_int_equal(parse_n(line, (size_t)n), 0);
		assert_int_equal(rec.kind, OW_KMSG_OTHER);
	}
}

static void test_task_rows(void **state)
{
	struct ow_kmsg_task t;
	static const char row_61[] = "[    612]     0   612    72351     1843   184320        0"
				     "          -250 systemd-journal";
	static const char row_big[] = "[  20001]    -1 20000  2628942  1995298  1995157      141"
				      "         0 16052224        0          1000 stress-ng-vm";

	(void)state;
	/* 6.18, read alone: the 6.8 columns. */
	assert_int_equal(parse("6,215024,12860141438,-;[  27159]     0 27159     4731     4363     "
			       "4032      331         0    77824        0             0 leak\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_TASK_ROW);
	assert_memory_equal(&rec.layout, &ow_kmsg_layout_6_8, sizeof(rec.layout));
	assert_int_equal(rec.task.pid, 27159);
	assert_int_equal(rec.task.tgid, 27159);
	assert_int_equal(rec.task.uid, 0);
	assert_int_equal(rec.task.total_vm_pages, 4731);
	assert_int_equal(rec.task.rss_pages, 4363);
	assert_int_equal(rec.task.rss_anon_pages, 4032);
	assert_int_equal(rec.task.rss_file_pages, 331);
	assert_int_equal(rec.task.rss_shmem_pages, 0);
	assert_int_equal(rec.task.pgtables_bytes, 77824);
	assert_int_equal(rec.task.swapents_pages, 0);
	assert_int_equal(rec.task.oom_score_adj, 0);
	assert_string_equal(rec.task.comm, "leak");
	assert_string_equal(ow_kmsg_kind_name(rec.kind), "oom-task");
	/* 6.1: the 4.19 columns. */
	assert_int_equal(parse_n(row_61, sizeof(row_61) - 1), -EINVAL); /* not a record */
	memset(&rec, 0, sizeof(rec));
	assert_int_equal(ow_kmsg_parse_oom(row_61, sizeof(row_61) - 1, &rec), OW_KMSG_OOM_TASK_ROW);
	assert_memory_equal(&rec.layout, &ow_kmsg_layout_4_19, sizeof(rec.layout));
	assert_int_equal(rec.task.tgid, 612);
	assert_int_equal(rec.task.rss_pages, 1843);
	assert_int_equal(rec.task.pgtables_bytes, 184320);
	assert_int_equal(rec.task.oom_score_adj, -250);
	assert_string_equal(rec.task.comm, "systemd-journal");
	assert_false(rec.task.cols & 1u << OW_KMSG_COL_RSS_ANON);
	assert_true(rec.task.cols & 1u << OW_KMSG_COL_RSS);
	/* A thread printed for its process (the leader gone), no uid (-1), a big process. */
	assert_int_equal(
		ow_kmsg_parse_task_row(row_big, sizeof(row_big) - 1, &ow_kmsg_layout_6_8, &t), 0);
	assert_int_equal(t.pid, 20001);
	assert_int_equal(t.tgid, 20000);
	assert_int_equal(t.uid, UINT32_MAX);
	assert_int_equal(t.oom_score_adj, 1000);
	assert_string_equal(t.comm, "stress-ng-vm");
	/* A comm with spaces, digits and brackets; an empty one. */
	assert_int_equal(ow_kmsg_parse_task_row("[ 5] 0 5 1 1 0 0 0 1 2 3",
						strlen("[ 5] 0 5 1 1 0 0 0 1 2 3"),
						&ow_kmsg_layout_4_19, &t),
			 0);
	assert_string_equal(t.comm, "1 2 3");
	assert_int_equal(ow_kmsg_parse_task_row("[ 5] 0 5 1 1 0 0 0 ",
						strlen("[ 5] 0 5 1 1 0 0 0 "), &ow_kmsg_layout_4_19,
						&t),
			 0);
	assert_string_equal(t.comm, "");
	/* ... which the 6.8 columns would read another way: the header decides. */
	assert_int_equal(ow_kmsg_parse_task_row("[ 5] 0 5 1 1 0 0 0 1 2 3",
						strlen("[ 5] 0 5 1 1 0 0 0 1 2 3"),
						&ow_kmsg_layout_6_8, &t),
			 -EINVAL);
	/* 4.9's unknown columns are skipped. */
	{
		struct ow_kmsg_task_layout l49;

		assert_int_equal(
			parse("6,1,2,-;[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds"
			      " swapents oom_score_adj name\n"),
			0);
		l49 = rec.layout;
		assert_int_equal(
			ow_kmsg_parse_task_row("[  300]  0  300  5000  400  12  3  7  -17 "
					       "old",
					       strlen("[  300]  0  300  5000  400  12  3  7"
						      "  -17 old"),
					       &l49, &t),
			0);
		assert_int_equal(t.rss_pages, 400);
		assert_int_equal(t.swapents_pages, 7);
		assert_int_equal(t.oom_score_adj, -17);
		assert_int_equal(t.pgtables_bytes, 0);
	}
	/* Not rows: a missing number, a bad pid, an adj out of range, no space before the comm. */
	static const char *const bad[] = {
		"[ 5] 0 5 1 1 0 0",	    "[ x] 0 5 1 1 0 0 0 a",  "[ -5] 0 5 1 1 0 0 0 a",
		"[ 5] 0 5 1 1 0 0 40000 a", "[ 5] 0 5 1 1 0 0 0",    "[ 5]0 5 1 1 0 0 0 a",
		"[ 5] 0 -5 1 1 0 0 0 a",    "[ 5] 0 5 1 1 0 0 0x a", "5] 0 5 1 1 0 0 0 a",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ow_kmsg_parse_task_row(bad[i], strlen(bad[i]), &ow_kmsg_layout_4_19, &t) !=
		    -EINVAL)
			fail_msg("read as a row: \"%s\"", bad[i]);
	assert_int_equal(ow_kmsg_parse_task_row(NULL, 0, &ow_kmsg_layout_4_19, &t), -EINVAL);
	/* A row whose comm reads like a Killed line is a row. */
	assert_int_equal(parse("6,1,2,-;[ 5] 0 5 1 1 0 0 0 Killed process 7 (x) total-vm:1kB\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_TASK_ROW);
	assert_int_equal(rec.pid, 0);
}

static void test_group_line(void **state)
{
	(void)state;
	assert_int_equal(
		parse("6,1,2,-;Tasks in /system.slice/db.service are going to be killed due "
		      "to memory.oom.group set\n"),
		0);
	assert_int_equal(rec.kind, OW_KMSG_OOM_GROUP);
	assert_string_equal(rec.oom_memcg, "/system.slice/db.service");
	assert_int_equal(rec.scope, OW_KMSG_SCOPE_MEMCG);
	assert_int_equal(rec.fields, OW_KMSG_F_OOM_MEMCG);
	/* A path holding the words: the last ones end it. */
	assert_int_equal(parse("6,1,2,-;Tasks in /a are going to be killed due to memory.oom.group "
			       "set are going to be killed due to memory.oom.group set\n"),
			 0);
	assert_string_equal(rec.oom_memcg, "/a are going to be killed due to memory.oom.group set");
	assert_int_equal(parse("6,1,2,-;Tasks in  are going to be killed due to memory.oom.group "
			       "set\n"),
			 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	assert_int_equal(parse("6,1,2,-;Tasks in /a are going to be killed\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
	assert_int_equal(parse("6,1,2,-;Tasks state (memory values in pages): and more\n"), 0);
	assert_int_equal(rec.kind, OW_KMSG_OTHER);
}

/* Every kind has a name. */
static void test_kind_names(void **state)
{
	(void)state;
	for (int k = 0; k < OW_KMSG_KIND_NR; k++) {
		const char *name = ow_kmsg_kind_name((enum ow_kmsg_kind)k);

		assert_non_null(name);
		if (k != OW_KMSG_OTHER && strcmp(name, "other") == 0)
			fail_msg("kind %d has no name", k);
	}
}

/* ---- the reader ---- */

static size_t n_read;
static uint64_t seqs[16];

static void on_record(const struct ow_kmsg_record *r, void *ctx)
{
	(void)ctx;
	if (n_read < sizeof(seqs) / sizeof(seqs[0]))
		seqs[n_read] = r->seq;
	n_read++;
}

static void test_reader_socket(void **state)
{
	static const char *const records[] = {
		"6,10,100,-;one\n",
		"not a record",
		"6,11,200,-;two\n",
		"4,15,300,-;memhog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, "
		"oom_score_adj=0\n",
	};
	struct ow_kmsg_reader *r;
	struct ow_kmsg_reader_stats st;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(ow_kmsg_reader_new_fd(sv[0], &r), 0);
	assert_int_equal(ow_kmsg_reader_fd(r), sv[0]);
	/* Nothing yet. */
	n_read = 0;
	assert_int_equal(ow_kmsg_reader_read(r, 0, on_record, NULL), 0);
	for (size_t i = 0; i < sizeof(records) / sizeof(records[0]); i++)
		assert_int_equal(write(sv[1], records[i], strlen(records[i])),
				 (ssize_t)strlen(records[i]));
	/* At most 1, then the rest. */
	assert_int_equal(ow_kmsg_reader_read(r, 1, on_record, NULL), 1);
	assert_int_equal(ow_kmsg_reader_read(r, 0, on_record, NULL), 2);
	assert_int_equal(n_read, 3);
	assert_int_equal(seqs[0], 10);
	assert_int_equal(seqs[2], 15);
	ow_kmsg_reader_get_stats(r, &st);
	assert_int_equal(st.records, 3);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(st.lost, 3); /* 12, 13, 14 */
	assert_int_equal(st.overruns, 0);
	/* The writer gone: read() gives 0, the end. */
	close(sv[1]);
	assert_int_equal(ow_kmsg_reader_read(r, 0, on_record, NULL), 0);
	ow_kmsg_reader_free(r);
	ow_kmsg_reader_free(NULL);
}

/* A scripted read(): records, EINTR, EPIPE (overwritten), then EAGAIN, or a hard error. */
static int script_step;
static int script_error;

static ssize_t scripted_read(int fd, void *buf, size_t len)
{
	static const char *const steps[] = { "6,1,1,-;a\n", NULL /* EINTR */, "6,2,2,-;b\n",
					     NULL /* EPIPE */, "6,40,3,-;c\n" };
	const size_t n_steps = sizeof(steps) / sizeof(steps[0]);
	int step = script_step++;

	(void)fd;
	if ((size_t)step >= n_steps) {
		errno = script_error;
		return -1;
	}
	if (!steps[step]) {
		errno = step == 1 ? EINTR : EPIPE;
		return -1;
	}
	assert_true(strlen(steps[step]) <= len);
	memcpy(buf, steps[step], strlen(steps[step]));
	return (ssize_t)strlen(steps[step]);
}

static ssize_t always_epipe(int fd, void *buf, size_t len)
{
	(void)fd;
	(void)buf;
	(void)len;
	errno = EPIPE;
	return -1;
}

static void test_reader_errors(void **state)
{
	struct ow_kmsg_reader *r;
	struct ow_kmsg_reader_stats st;
	int fd = open("/dev/null", O_RDONLY | O_NONBLOCK);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(ow_kmsg_reader_new_fd(fd, &r), 0);
	ow_kmsg_reader_set_read_fn(r, scripted_read);
	script_step = 0;
	script_error = EAGAIN;
	n_read = 0;
	assert_int_equal(ow_kmsg_reader_read(r, 0, on_record, NULL), 3);
	ow_kmsg_reader_get_stats(r, &st);
	assert_int_equal(st.records, 3);
	assert_int_equal(st.overruns, 1);
	assert_int_equal(st.lost, 37); /* 3 to 39 */
	/* A hard error after records: they stay handed over, the error is returned. */
	script_step = 0;
	script_error = EIO;
	n_read = 0;
	assert_int_equal(ow_kmsg_reader_read(r, 0, on_record, NULL), -EIO);
	assert_int_equal(n_read, 3);
	/* EPIPE forever is an error, not a busy loop. */
	ow_kmsg_reader_set_read_fn(r, always_epipe);
	assert_int_equal(ow_kmsg_reader_read(r, 0, on_record, NULL), -EPIPE);
	ow_kmsg_reader_free(r);

	assert_int_equal(ow_kmsg_reader_read(NULL, 0, on_record, NULL), -EINVAL);
	assert_int_equal(ow_kmsg_reader_new_fd(-1, &r), -EINVAL);
	assert_int_equal(ow_kmsg_reader_open("/nonexistent/kmsg", 0, &r), -ENOENT);
	/* /dev/null seeks to its end and reads nothing. */
	assert_int_equal(ow_kmsg_reader_open("/dev/null", 0, &r), 0);
	assert_int_equal(ow_kmsg_reader_read(r, 0, on_record, NULL), 0);
	ow_kmsg_reader_free(r);
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
		cmocka_unit_test(test_caller),
		cmocka_unit_test(test_cpu_line),
		cmocka_unit_test(test_memcg_counters),
		cmocka_unit_test(test_show_mem),
		cmocka_unit_test(test_tasks_header),
		cmocka_unit_test(test_task_rows),
		cmocka_unit_test(test_group_line),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_reader_socket),
		cmocka_unit_test(test_reader_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
