/* gen_db.c - adds one SR and N VDIs on it to a stopped xapid's database,
 * through the daemon's own db layer (db.h), for benchmark 4 while the API
 * has no way yet to create SRs (SR.create/SR.introduce come with the storage
 * layer). Records are complete: the fields we care about are set and
 * xd_generic_fill_defaults() fills the rest as the generic create would.
 * Writes are committed in batches (one transaction per batch).
 *
 * Usage: gen_db STATE_DIR/xapi.db NVDIS
 * Build: linked against the build's libxapid (see bench/start_rss.py).
 */
#include <stdio.h>
#include <stdlib.h>

#include "db/db.h"
#include "dm.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"

#define BATCH 2000

static xd_value *sr_record(void)
{
	xd_value *r = xd_struct();
	xd_struct_set_take(r, "name_label", xd_string("bench SR"));
	xd_struct_set_take(r, "name_description", xd_string("made by bench/gen_db"));
	xd_struct_set_take(r, "type", xd_string("file"));
	xd_struct_set_take(r, "content_type", xd_string("user"));
	xd_struct_set_take(r, "physical_size", xd_int((int64_t)1 << 50));
	return r;
}

static xd_value *vdi_record(const char *sr_ref, long i)
{
	char name[64];
	snprintf(name, sizeof name, "bench VDI %06ld", i);
	xd_value *r = xd_struct();
	xd_struct_set_take(r, "name_label", xd_string(name));
	xd_struct_set_take(r, "name_description", xd_string("made by bench/gen_db"));
	xd_struct_set_take(r, "SR", xd_string(sr_ref));
	xd_struct_set_take(r, "virtual_size", xd_int((int64_t)10 << 30));
	xd_struct_set_take(r, "type", xd_string("user"));
	xd_value *oc = xd_struct();
	xd_struct_set_take(oc, "bench", xd_string("true"));
	xd_struct_set_take(r, "other_config", oc);
	return r;
}

/* Fills rec's missing fields (and uuid) and creates it under a new ref inside
 * t; rec is taken. */
static int add(xd_db_txn *t, const xd_class *c, xd_value *rec, char **ref_out, xd_error *err)
{
	xd_generic_fill_defaults(c, rec);
	char *ref = xd_ref_new();
	int rc = xd_db_txn_create(t, c, ref, rec, err);
	if (ref_out)
		*ref_out = ref;
	else
		free(ref);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: gen_db DBFILE NVDIS\n");
		return 2;
	}
	long nvdis = strtol(argv[2], NULL, 10);
	xd_error err = XD_ERROR_INIT;
	char *sr_ref = NULL;
	int rc = 1;
	bool open = false;

	xd_log_set_level(XD_LOG_WARN);
	if (xd_dm_init() != 0)
		goto out;
	const xd_class *sr = xd_dm_class("SR"), *vdi = xd_dm_class("VDI");
	if (!sr || !vdi) {
		fprintf(stderr, "gen_db: no SR or VDI class\n");
		goto out;
	}
	if (xd_db_open(argv[1], &err) != 0)
		goto out;
	open = true;

	xd_db_txn *t = xd_db_begin();
	if (add(t, sr, sr_record(), &sr_ref, &err) != 0) {
		xd_db_rollback(t);
		goto out;
	}
	if (xd_db_commit(t, &err) != 0)
		goto out;
	for (long i = 0; i < nvdis;) {
		t = xd_db_begin();
		for (long end = i + BATCH; i < end && i < nvdis; i++) {
			if (add(t, vdi, vdi_record(sr_ref, i), NULL, &err) != 0) {
				xd_db_rollback(t);
				goto out;
			}
		}
		if (xd_db_commit(t, &err) != 0)
			goto out;
	}
	printf("gen_db: SR %s with %zu VDIs\n", sr_ref, xd_db_count(vdi));
	rc = 0;
out:
	if (xd_error_is_set(&err))
		fprintf(stderr, "gen_db: %s %s\n", err.code, err.nparams ? err.params[0] : "");
	if (open)
		xd_db_close();
	xd_error_clear(&err);
	free(sr_ref);
	return rc;
}
