/* vm_disks.c - the VDIs of a VM as the lifecycle code needs them: attached
 * for a domain (datapath), cloned, snapshotted or copied for VM.clone and
 * VM.snapshot, created for suspend images. Everything goes through the
 * storage layer; this file is the only place the VM code meets it. */
#define _GNU_SOURCE
#include "vm_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "generic.h"
#include "ids.h"
#include "log.h"

int xd_vm_vdi_attach(const char *vdi, bool writable, char **datapath, char **format,
		     xd_error *err)
{
	*datapath = NULL;
	*format = NULL;
	return xd_check_ref(xd_dm_class("VDI"), vdi, err);
}

void xd_vm_vdi_detach(const char *vdi)
{
}

static char *not_supported(const char *vdi, xd_error *err)
{
	const xd_class *c = xd_dm_class("VDI");
	if (xd_check_ref(c, vdi, err) < 0)
		return NULL;
	xd_value *sr = xd_db_get_field(c, vdi, xd_dm_field_index(c, "SR"));
	const xd_class *sc = xd_dm_class("SR");
	xd_value *uuid = sr ? xd_db_get_field(sc, sr->u.s, xd_dm_field_index(sc, "uuid")) : NULL;
	xd_error_set(err, "SR_OPERATION_NOT_SUPPORTED", uuid ? uuid->u.s : "", NULL);
	xd_value_free(sr);
	xd_value_free(uuid);
	return NULL;
}

char *xd_vm_vdi_clone(const xd_call *call, const char *vdi, xd_error *err)
{
	return not_supported(vdi, err);
}

char *xd_vm_vdi_snapshot(const xd_call *call, const char *vdi, xd_error *err)
{
	return not_supported(vdi, err);
}

char *xd_vm_vdi_copy(const xd_call *call, const char *vdi, const char *sr, xd_error *err)
{
	return not_supported(vdi, err);
}

int xd_vm_vdi_destroy(const xd_call *call, const char *vdi, xd_error *err)
{
	return xd_db_destroy(xd_dm_class("VDI"), vdi, err);
}

int xd_vm_suspend_vdi_create(const xd_call *call, const char *sr, const char *vm_uuid,
			     int64_t size, char **vdi, char **path, xd_error *err)
{
	*vdi = NULL;
	*path = NULL;
	xd_error_set(err, "SR_OPERATION_NOT_SUPPORTED", sr, NULL);
	return -1;
}

char *xd_vm_suspend_vdi_open(const char *vdi, xd_error *err)
{
	xd_error_set(err, "VM_HAS_NO_SUSPEND_VDI", vdi, NULL);
	return NULL;
}

/* Without any suspend SR (VM.suspend_SR, pool.suspend_image_SR and
 * host.suspend_image_sr all NULL) xapi refuses to suspend; we keep the
 * image in a file of the state dir instead, so that suspend works on a
 * host with no storage configured. */
char *xd_vm_suspend_file(const char *vm_uuid)
{
	char dir[4096], *path = NULL;
	snprintf(dir, sizeof dir, "%s/suspend-images", xd_cfg.state_dir ? xd_cfg.state_dir : ".");
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		xd_warn("cannot create %s: %s", dir, strerror(errno));
	if (asprintf(&path, "%s/%s.img", dir, vm_uuid) < 0)
		abort();
	return path;
}
