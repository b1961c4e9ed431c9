// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmsg_span: times the kernel's own OOM report from its printk timestamps, for
 * bench/kill_path.sh. Reads /dev/kmsg from its end until killed and prints, for each report,
 *
 *   report ROWS DUMP_TASKS_US WHOLE_US LOST
 *
 * ROWS: task rows dump_tasks() printed; DUMP_TASKS_US: from its "Tasks state" header to the
 * "oom-kill:" summary that follows the last row; WHOLE_US: from "invoked oom-killer" to that
 * summary (the stack, the memory report and the task dump); LOST: 1 when records were
 * overwritten before this reader got them (the figures are then not printed as a report).
 * Timestamps are the kernel's, taken as each line is stored.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	unsigned long long ts_us, invoked_us = 0, tasks_us = 0;
	long rows = -1;
	int lost = 0, fd;
	char rec[8192];

	fd = open("/dev/kmsg", O_RDONLY);
	if (fd < 0 || lseek(fd, 0, SEEK_END) < 0) {
		fprintf(stderr, "kmsg_span: /dev/kmsg: %s\n", strerror(errno));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\n");
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		const char *text;

		if (n < 0) {
			if (errno == EPIPE) { /* overwritten before we read them */
				lost = 1;
				continue;
			}
			if (errno == EINTR)
				continue;
			fprintf(stderr, "kmsg_span: reading /dev/kmsg: %s\n", strerror(errno));
			return 1;
		}
		rec[n] = '\0';
		/* "PRIO,SEQ,TS_US,FLAGS;TEXT" */
		if (sscanf(rec, "%*u,%*u,%llu", &ts_us) != 1 || !(text = strchr(rec, ';')))
			continue;
		text++;
		if (strstr(text, "invoked oom-killer")) {
			invoked_us = ts_us;
			tasks_us = 0;
			rows = -1;
			lost = 0;
		} else if (strncmp(text, "Tasks state", 11) == 0) {
			tasks_us = ts_us;
			rows = -1; /* the column header row follows */
		} else if (tasks_us && text[0] == '[') {
			rows++;
		} else if (tasks_us && strncmp(text, "oom-kill:", 9) == 0) {
			printf("report %ld %llu %llu %d\n", rows, ts_us - tasks_us,
			       invoked_us ? ts_us - invoked_us : 0, lost);
			invoked_us = tasks_us = 0;
			lost = 0;
		}
	}
}
