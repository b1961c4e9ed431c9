/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz target of the store's read path (src/store/store.c): the input is written as a database
 * file and opened read-only, as `oomwitness list` and `show` open one somebody handed them;
 * then every incident listed is loaded, judged and rendered as JSON. A corrupt or foreign file,
 * or one written by a newer oomwitness, must fail with an error, never crash, hang or leak, and
 * is never written to: the file is the same bytes after the store closed it. What the header
 * says is checked against the answer: a file stamped with a newer schema version is refused,
 * and -EPROTONOSUPPORT only ever means that.
 *
 * The seeds (seeds.c) are a database the store itself wrote, with an incident and its memory
 * history, the same in rollback-journal mode, the same stamped with the next schema version,
 * and a foreign SQLite file.
 */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include "analysis/verdict.h"
#include "output/render.h"
#include "store/store.h"

#define APPLICATION_ID 0x4f4f4d57u /* "OOMW", as store.c stamps it */

static char dir[PATH_MAX], db[PATH_MAX + 8], wal[PATH_MAX + 16], shm[PATH_MAX + 16],
	journal[PATH_MAX + 16];
static FILE *devnull;

static void cleanup(void)
{
	unlink(db);
	unlink(wal);
	unlink(shm);
	unlink(journal);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/oomwitness-fuzz-store.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("fuzz_store: mkdtemp");
		abort();
	}
	snprintf(db, sizeof(db), "%s/db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", db);
	snprintf(shm, sizeof(shm), "%s-shm", db);
	snprintf(journal, sizeof(journal), "%s-journal", db);
	atexit(cleanup);
	devnull = fuzz_alloc(fopen("/dev/null", "we"));
	return 0;
}

static void write_file(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
	FUZZ_CHECK(close(fd) == 0);
}

/* Whether the file holds exactly these bytes. */
static bool file_is(const char *path, const uint8_t *data, size_t size)
{
	uint8_t *buf = fuzz_alloc(malloc(size + 1));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	bool same;

	FUZZ_CHECK(fd >= 0);
	n = read(fd, buf, size + 1);
	same = n == (ssize_t)size && memcmp(buf, data, size) == 0;
	close(fd);
	free(buf);
	return same;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool keep_all(const char *const *cgroups, size_t n, void *ctx)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(cgroups[i]);
	return true;
}

static void load_and_render(struct ow_store *s, int64_t id)
{
	struct ow_verdict_config cfg;
	struct ow_incident inc;
	struct ow_verdict v;
	int r;

	memset(&inc, 0, sizeof(inc));
	r = ow_store_load_incident(s, id, &inc);
	FUZZ_CHECK(r <= 0);
	if (r < 0)
		return;
	FUZZ_CHECK(inc.id == id);
	FUZZ_CHECK(!inc.n_kills || inc.kills);
	ow_verdict_config_default(&cfg);
	if (ow_verdict_compute(&inc, &cfg, &v) == 0) {
		FUZZ_CHECK(ow_render_incident_json(devnull, &inc, &v) == 0);
		ow_verdict_clear(&v);
	}
	ow_incident_clear(&inc);
}

static void read_all(struct ow_store *s)
{
	struct ow_store_list_filter filter = { .since_ns = 1,
					       .cgroup = "/",
					       .match_cgroups = keep_all };
	struct ow_incident_summary *rows = NULL;
	uint64_t n_lost, file_bytes, used_bytes;
	size_t n = 0;
	int64_t last;
	bool shrink;

	if (ow_store_list(s, &rows, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			load_and_render(s, rows[i].id);
		ow_incident_summaries_free(rows, n);
	}
	if (ow_store_list_filtered(s, &filter, &rows, &n) == 0)
		ow_incident_summaries_free(rows, n);
	if (ow_store_last_incident_id(s, &last) == 0)
		load_and_render(s, last);
	load_and_render(s, 0);
	load_and_render(s, INT64_MAX);
	(void)ow_store_get_lost_events(s, &n_lost);
	(void)ow_store_size(s, &file_bytes, &used_bytes);
	(void)ow_store_can_shrink(s, &shrink);
	/* Read-only means read-only, whatever the file says. */
	FUZZ_CHECK(ow_store_add_lost_events(s, 1) < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool sqlite = size >= 100 && memcmp(data, "SQLite format 3", 16) == 0;
	struct ow_store *s = NULL;
	int r;

	unlink(wal);
	unlink(shm);
	unlink(journal);
	write_file(db, data, size);
	r = ow_store_open(db, OW_STORE_READ_ONLY, &s);
	FUZZ_CHECK(r <= 0 && (r == 0) == (s != NULL));
	if (r == -EPROTONOSUPPORT)
		FUZZ_CHECK(sqlite && be32(data + 60) > OW_STORE_SCHEMA_VERSION);
	if (sqlite && be32(data + 68) == APPLICATION_ID &&
	    be32(data + 60) > OW_STORE_SCHEMA_VERSION)
		FUZZ_CHECK(r < 0);
	if (r == 0) {
		FUZZ_CHECK(sqlite && be32(data + 68) == APPLICATION_ID);
		read_all(s);
	}
	ow_store_close(s);
	FUZZ_CHECK(file_is(db, data, size));
	return 0;
}
