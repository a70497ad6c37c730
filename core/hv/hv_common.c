/* hv_common.c - what both hypervisor backends share (hv_int.h): the checks
 * on a domain spec and the shapes of the errors they report alike.
 */
#include "hv_int.h"

#include <stdio.h>
#include <string.h>

const char *xd_hv_domain_kind(const char *domain_type)
{
	if (!domain_type)
		return NULL;
	if (strcmp(domain_type, "hvm") == 0)
		return "hvm";
	if (strcmp(domain_type, "pv") == 0)
		return "pv";
	if (strcmp(domain_type, "pvh") == 0 || strcmp(domain_type, "pv_in_pvh") == 0)
		return "pvh";
	return NULL;
}

int xd_hv_spec_check(const xd_hv_domain_spec *spec, xd_error *err)
{
	char n[32];
	int i, j;

	if (!spec || !spec->vm_uuid || !*spec->vm_uuid)
		return xd_error_setf(err, "INTERNAL_ERROR", "domain spec without a VM uuid");
	if (!xd_hv_domain_kind(spec->domain_type))
		return xd_error_set(err, "INVALID_VALUE", "domain_type",
				    spec->domain_type ? spec->domain_type : "", NULL);
	if (spec->memory_target <= 0 || spec->memory_target > spec->memory_static_max)
		return xd_hv_err_memory_order(err);
	if (spec->vcpus_max < 1) {
		snprintf(n, sizeof(n), "%lld", (long long)spec->vcpus_max);
		return xd_error_set(err, "INVALID_VALUE", "VCPUs_max", n, NULL);
	}
	if (spec->vcpus_at_startup < 1 || spec->vcpus_at_startup > spec->vcpus_max) {
		snprintf(n, sizeof(n), "%lld", (long long)spec->vcpus_at_startup);
		return xd_error_set(err, "INVALID_VALUE", "VCPUs_at_startup", n, NULL);
	}
	if ((spec->ndisks > 0 && !spec->disks) || spec->ndisks < 0 ||
	    (spec->nnics > 0 && !spec->nics) || spec->nnics < 0)
		return xd_error_setf(err, "INTERNAL_ERROR", "domain spec with a bad device list");
	for (i = 0; i < spec->ndisks; i++) {
		const xd_hv_disk *d = &spec->disks[i];
		if (!d->vdev || !*d->vdev)
			return xd_error_setf(err, "INTERNAL_ERROR", "disk %d without a device name", i);
		if (!d->datapath && !d->cdrom)
			return xd_error_setf(err, "INTERNAL_ERROR", "disk %s has no datapath", d->vdev);
		for (j = 0; j < i; j++)
			if (strcmp(spec->disks[j].vdev, d->vdev) == 0)
				return xd_error_set(err, "DEVICE_ALREADY_ATTACHED", d->vdev, NULL);
	}
	for (i = 0; i < spec->nnics; i++) {
		if (spec->nics[i].devid < 0) {
			snprintf(n, sizeof(n), "%d", spec->nics[i].devid);
			return xd_error_set(err, "INVALID_VALUE", "device", n, NULL);
		}
		for (j = 0; j < i; j++)
			if (spec->nics[j].devid == spec->nics[i].devid) {
				snprintf(n, sizeof(n), "%d", spec->nics[i].devid);
				return xd_error_set(err, "DEVICE_ALREADY_ATTACHED", n, NULL);
			}
	}
	return 0;
}

void xd_hv_format_float(double v, char out[32])
{
	size_t i, len;

	snprintf(out, 32, "%.12g", v);
	len = strlen(out);
	/* OCaml marks a float that prints like an integer with a trailing dot */
	for (i = 0; i < len; i++)
		if (out[i] != '-' && (out[i] < '0' || out[i] > '9'))
			return;
	if (len + 1 < 32) {
		out[len] = '.';
		out[len + 1] = '\0';
	}
}

int xd_hv_err_no_domain(xd_error *err, int domid)
{
	return xd_error_setf(err, "INTERNAL_ERROR", "domain %d does not exist", domid);
}

int xd_hv_err_memory_order(xd_error *err)
{
	return xd_error_set(err, "MEMORY_CONSTRAINT_VIOLATION_ORDER", NULL);
}
