/* hv_sim_devices.c - disk and NIC hotplug on the simulated host, with xapi's
 * errors: DEVICE_ALREADY_ATTACHED [device] for a device that is there,
 * DEVICE_ALREADY_DETACHED [device] for one that is not, and (fault
 * "unplug_rejected") DEVICE_DETACH_REJECTED [type, device, msg] when the
 * guest keeps a device that is not forced away. [device] is the disk's vdev
 * or the NIC's devid (hv_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/hv_int.h"
#include "hv_sim_int.h"

static int device_error(xd_error *err, const char *code, int devid)
{
	char n[32];

	snprintf(n, sizeof(n), "%d", devid);
	return xd_error_set(err, code, n, NULL);
}

int xd_sim_disk_add(int domid, const xd_hv_disk *disk, xd_error *err)
{
	xd_sim_disk *grown;
	xd_sim_dom *d;
	int i, rc = -1;

	if (!disk || !disk->vdev || !*disk->vdev)
		return xd_error_setf(err, "INTERNAL_ERROR", "disk without a device name");
	if (!disk->datapath && !disk->cdrom)
		return xd_error_setf(err, "INTERNAL_ERROR", "disk %s has no datapath", disk->vdev);
	xd_sim_lock();
	d = xd_sim_live_dom(domid, err);
	if (!d)
		goto out;
	for (i = 0; i < d->ndisks; i++)
		if (strcmp(d->disks[i].vdev, disk->vdev) == 0) {
			xd_error_set(err, "DEVICE_ALREADY_ATTACHED", disk->vdev, NULL);
			goto out;
		}
	grown = realloc(d->disks, (size_t)(d->ndisks + 1) * sizeof(*grown));
	if (!grown)
		abort();
	d->disks = grown;
	xd_sim_disk_copy(&d->disks[d->ndisks++], disk);
	xd_sim_changed();
	rc = 0;
out:
	xd_sim_unlock();
	return rc;
}

int xd_sim_disk_remove(int domid, const char *vdev, bool force, xd_error *err)
{
	xd_sim_dom *d;
	int i, rc = -1;

	xd_sim_lock();
	d = xd_sim_live_dom(domid, err);
	if (!d)
		goto out;
	for (i = 0; i < d->ndisks; i++)
		if (vdev && strcmp(d->disks[i].vdev, vdev) == 0)
			break;
	if (i == d->ndisks) {
		xd_error_set(err, "DEVICE_ALREADY_DETACHED", vdev ? vdev : "", NULL);
		goto out;
	}
	if (!force && d->state == XD_DOM_RUNNING && xd_sim_has_fault(d->vm_uuid, "unplug_rejected")) {
		xd_error_set(err, "DEVICE_DETACH_REJECTED", "VBD", vdev,
			     "the guest refused to release the device (simulated fault)", NULL);
		goto out;
	}
	xd_sim_disk_free(&d->disks[i]);
	memmove(&d->disks[i], &d->disks[i + 1], (size_t)(d->ndisks - i - 1) * sizeof(*d->disks));
	d->ndisks--;
	xd_sim_changed();
	rc = 0;
out:
	xd_sim_unlock();
	return rc;
}

int xd_sim_nic_add(int domid, const xd_hv_nic *nic, xd_error *err)
{
	xd_sim_nic *grown;
	xd_sim_dom *d;
	int i, rc = -1;

	if (!nic || nic->devid < 0)
		return xd_error_setf(err, "INTERNAL_ERROR", "NIC without a device number");
	xd_sim_lock();
	d = xd_sim_live_dom(domid, err);
	if (!d)
		goto out;
	for (i = 0; i < d->nnics; i++)
		if (d->nics[i].devid == nic->devid) {
			device_error(err, "DEVICE_ALREADY_ATTACHED", nic->devid);
			goto out;
		}
	grown = realloc(d->nics, (size_t)(d->nnics + 1) * sizeof(*grown));
	if (!grown)
		abort();
	d->nics = grown;
	xd_sim_nic_copy(&d->nics[d->nnics], nic);
	if (xd_sim_net_nic_add(domid, &d->nics[d->nnics], err) < 0) {
		xd_sim_nic_free(&d->nics[d->nnics]);
		goto out;
	}
	d->nnics++;
	xd_sim_changed();
	rc = 0;
out:
	xd_sim_unlock();
	return rc;
}

int xd_sim_nic_remove(int domid, int devid, xd_error *err)
{
	xd_sim_dom *d;
	int i, rc = -1;

	xd_sim_lock();
	d = xd_sim_live_dom(domid, err);
	if (!d)
		goto out;
	for (i = 0; i < d->nnics; i++)
		if (d->nics[i].devid == devid)
			break;
	if (i == d->nnics) {
		device_error(err, "DEVICE_ALREADY_DETACHED", devid);
		goto out;
	}
	if (d->state == XD_DOM_RUNNING && xd_sim_has_fault(d->vm_uuid, "unplug_rejected")) {
		char n[32];
		snprintf(n, sizeof(n), "%d", devid);
		xd_error_set(err, "DEVICE_DETACH_REJECTED", "VIF", n,
			     "the guest refused to release the device (simulated fault)", NULL);
		goto out;
	}
	xd_sim_net_nic_remove(domid, devid);
	xd_sim_nic_free(&d->nics[i]);
	memmove(&d->nics[i], &d->nics[i + 1], (size_t)(d->nnics - i - 1) * sizeof(*d->nics));
	d->nnics--;
	xd_sim_changed();
	rc = 0;
out:
	xd_sim_unlock();
	return rc;
}
