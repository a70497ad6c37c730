/* hv_xen_config.c - domain spec -> libxl_domain_config (see hv_xen_config.h).
 *
 * libxl frees every string and array of a configuration with free() when it
 * is disposed, so everything put into one here is a malloc'd copy.
 */
#include "hv_xen_config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/hv_int.h"
#include "uri.h"

static char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p)
		abort();
	return p;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		abort();
	return p;
}

static bool empty(const char *s)
{
	return !s || !*s;
}

/* A member of a string map (VM.platform, HVM_boot_params), or NULL. */
static const char *map_get(const xd_value *map, const char *key)
{
	const xd_value *v;

	if (!map || map->t != XD_V_STRUCT)
		return NULL;
	v = xd_struct_get(map, key);
	return v && v->t == XD_V_STRING ? v->u.s : NULL;
}

/* xapi's Vm_platform.is_true: true/1 and false/0 in any case; absent or
 * anything else: -1 (keep the default). */
static int map_bool(const xd_value *map, const char *key)
{
	const char *v = map_get(map, key);

	if (!v)
		return -1;
	if (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0)
		return 1;
	if (strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0)
		return 0;
	return -1;
}

static void set_defbool(libxl_defbool *db, int v)
{
	if (v >= 0)
		libxl_defbool_set(db, v == 1);
}

/* ---- datapaths ---------------------------------------------------------------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int xd_hv_xen_datapath_target(const char *datapath, char **target, xd_error *err)
{
	*target = NULL;
	if (empty(datapath))
		return xd_error_setf(err, "INTERNAL_ERROR", "empty datapath");
	if (strncmp(datapath, "file://", 7) == 0) {
		*target = xd_file_uri_path(datapath);
		if (!*target)
			return xd_error_setf(err, "INTERNAL_ERROR", "unusable file datapath: %s",
					     datapath);
		return 0;
	}
	if (strncmp(datapath, "nbd+unix://", 11) == 0) /* hv_xen_nbd.h: a /dev/nbdN first */
		return xd_error_setf(err, "INTERNAL_ERROR",
				     "NBD datapath not connected to a dom0 device: %s", datapath);
	if (datapath[0] == '/') { /* a plain path: what file:// would give */
		*target = xstrdup(datapath);
		return 0;
	}
	return xd_error_setf(err, "INTERNAL_ERROR", "datapath not reachable by libxl: %s", datapath);
}

/* ---- devices ---------------------------------------------------------------------- */

static int disk_format(const char *format, libxl_disk_format *out, xd_error *err)
{
	if (empty(format) || strcmp(format, "raw") == 0)
		*out = LIBXL_DISK_FORMAT_RAW;
	else if (strcmp(format, "qcow2") == 0)
		*out = LIBXL_DISK_FORMAT_QCOW2;
	else if (strcmp(format, "vhd") == 0)
		*out = LIBXL_DISK_FORMAT_VHD;
	else
		return xd_error_setf(err, "INTERNAL_ERROR", "unsupported disk format: %s", format);
	return 0;
}

int xd_hv_xen_config_disk(const xd_hv_disk *disk, libxl_device_disk *out, xd_error *err)
{
	libxl_device_disk_init(out);
	if (!disk || empty(disk->vdev)) {
		xd_error_setf(err, "INTERNAL_ERROR", "disk without a device name");
		goto fail;
	}
	out->vdev = xstrdup(disk->vdev);
	/* qemu serves image files (it reads qcow2 and vhd); a raw dom0 block
	 * device (an NBD datapath connected by hv_xen_nbd.h) goes to blkback */
	out->backend = LIBXL_DISK_BACKEND_QDISK;
	if (disk->cdrom) {
		out->is_cdrom = 1;
		out->removable = 1;
		out->readwrite = 0;
	} else {
		out->readwrite = disk->readonly ? 0 : 1;
	}
	if (!disk->datapath) {
		if (!disk->cdrom) {
			xd_error_setf(err, "INTERNAL_ERROR", "disk %s has no datapath", disk->vdev);
			goto fail;
		}
		out->format = LIBXL_DISK_FORMAT_EMPTY; /* a drive with no media */
		return 0;
	}
	if (xd_hv_xen_datapath_target(disk->datapath, &out->pdev_path, err) < 0 ||
	    disk_format(disk->format, &out->format, err) < 0)
		goto fail;
	if (strncmp(out->pdev_path, "/dev/", 5) == 0 && out->format == LIBXL_DISK_FORMAT_RAW)
		out->backend = LIBXL_DISK_BACKEND_PHY;
	return 0;
fail:
	libxl_device_disk_dispose(out);
	return -1;
}

/* "aa:bb:cc:dd:ee:ff" (or with '-'), as xapi accepts MACs. */
static int parse_mac(const char *s, libxl_mac *mac)
{
	int i;

	if (strlen(s) != 17)
		return -1;
	for (i = 0; i < 6; i++) {
		int hi = hexval((unsigned char)s[i * 3]), lo = hexval((unsigned char)s[i * 3 + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		if (i < 5 && s[i * 3 + 2] != ':' && s[i * 3 + 2] != '-')
			return -1;
		(*mac)[i] = (uint8_t)(hi * 16 + lo);
	}
	return 0;
}

int xd_hv_xen_config_nic(const xd_hv_nic *nic, bool hvm, libxl_device_nic *out, xd_error *err)
{
	libxl_device_nic_init(out);
	if (!nic) {
		xd_error_setf(err, "INTERNAL_ERROR", "no NIC");
		goto fail;
	}
	out->devid = nic->devid;
	/* an HVM guest sees an emulated card until its PV driver takes over */
	out->nictype = hvm ? LIBXL_NIC_TYPE_VIF_IOEMU : LIBXL_NIC_TYPE_VIF;
	if (!empty(nic->mac) && parse_mac(nic->mac, &out->mac) < 0) {
		xd_error_set(err, "MAC_INVALID", nic->mac, NULL);
		goto fail;
	}
	if (!empty(nic->bridge))
		out->bridge = xstrdup(nic->bridge);
	if (nic->mtu > 0)
		out->mtu = (int)nic->mtu;
	return 0;
fail:
	libxl_device_nic_dispose(out);
	return -1;
}

/* ---- the domain ----------------------------------------------------------------- */

/* PV_bootloader_args split on white space, as a NULL-terminated list. */
static libxl_string_list split_args(const char *s)
{
	size_t n = 0, cap = 4;
	char **list = xcalloc(cap + 1, sizeof(char *));

	while (s && *s) {
		size_t len;
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		for (len = 0; s[len] && !isspace((unsigned char)s[len]); len++)
			;
		if (n == cap) {
			cap *= 2;
			list = realloc(list, (cap + 1) * sizeof(char *));
			if (!list)
				abort();
		}
		list[n] = xcalloc(len + 1, 1);
		memcpy(list[n], s, len);
		list[++n] = NULL;
		s += len;
	}
	return list;
}

/* PV and PVH: a bootloader run in dom0 (pygrub) or a kernel given by path. */
static int direct_or_indirect_boot(const xd_hv_domain_spec *spec, libxl_domain_build_info *b,
				   xd_error *err)
{
	if (!empty(spec->pv_bootloader)) {
		b->bootloader = xstrdup(spec->pv_bootloader);
		if (!empty(spec->pv_bootloader_args))
			b->bootloader_args = split_args(spec->pv_bootloader_args);
	} else if (!empty(spec->pv_kernel)) {
		b->kernel = xstrdup(spec->pv_kernel);
		if (!empty(spec->pv_ramdisk))
			b->ramdisk = xstrdup(spec->pv_ramdisk);
	} else {
		/* xapi's words for xenopsd's No_bootable_device */
		return xd_error_setf(err, "INTERNAL_ERROR", "there is no bootable device");
	}
	/* the guest's command line; pygrub passes it on to the kernel it picks */
	if (!empty(spec->pv_args))
		b->cmdline = xstrdup(spec->pv_args);
	return 0;
}

static int hvm_boot(const xd_hv_domain_spec *spec, libxl_domain_build_info *b, xd_error *err)
{
	const char *firmware = map_get(spec->hvm_boot_params, "firmware");
	const char *order = map_get(spec->hvm_boot_params, "order");
	const char *dm = map_get(spec->platform, "device-model");
	bool uefi = false, trad = false;

	if (firmware && strcmp(firmware, "uefi") == 0)
		uefi = true;
	else if (firmware && strcmp(firmware, "bios") != 0)
		return xd_error_set(err, "INVALID_VALUE", "HVM-boot-params['firmware']", firmware,
				    NULL);
	if (dm) {
		if (strcmp(dm, "qemu-trad") == 0)
			trad = true;
		else if (strcmp(dm, "qemu-upstream-compat") != 0 &&
			 strcmp(dm, "qemu-upstream") != 0 && strcmp(dm, "qemu-upstream-uefi") != 0)
			return xd_error_set(err, "INVALID_VALUE", "platform:device-model", dm, NULL);
		if (trad && uefi)
			return xd_error_set(err, "INVALID_VALUE", "platform:device-model",
					    "UEFI boot is not supported with qemu-trad", NULL);
		if (strcmp(dm, "qemu-upstream-uefi") == 0 && !uefi)
			return xd_error_set(err, "INVALID_VALUE", "platform:device-model",
					    "BIOS boot is not supported with qemu-upstream-uefi", NULL);
		b->device_model_version = trad ? LIBXL_DEVICE_MODEL_VERSION_QEMU_XEN_TRADITIONAL
					       : LIBXL_DEVICE_MODEL_VERSION_QEMU_XEN;
	}
	b->u.hvm.bios = uefi ? LIBXL_BIOS_TYPE_OVMF
			     : trad ? LIBXL_BIOS_TYPE_ROMBIOS : LIBXL_BIOS_TYPE_SEABIOS;
	/* xapi: an empty order would make qemu fail silently (XSI-804): "cd" */
	if (order && *order) {
		const char *c;
		for (c = order; *c; c++)
			if (!strchr("abcdn", *c))
				return xd_error_set(err, "INVALID_VALUE", "HVM-boot-params['order']",
						    order, NULL);
	} else {
		order = "cd";
	}
	b->u.hvm.boot = xstrdup(order);

	set_defbool(&b->acpi, map_bool(spec->platform, "acpi"));
	set_defbool(&b->apic, map_bool(spec->platform, "apic"));
	set_defbool(&b->u.hvm.nx, map_bool(spec->platform, "nx"));
	set_defbool(&b->u.hvm.pae, map_bool(spec->platform, "pae"));
	set_defbool(&b->u.hvm.viridian, map_bool(spec->platform, "viridian"));

	b->u.hvm.serial = xstrdup("pty"); /* xapi's hvm_serial default */
	libxl_defbool_set(&b->u.hvm.vnc.enable, true);
	b->u.hvm.vnc.listen = xstrdup("127.0.0.1");
	return 0;
}

static void vcpus(const xd_hv_domain_spec *spec, libxl_domain_build_info *b)
{
	int64_t i;

	b->max_vcpus = (int)spec->vcpus_max;
	/* libxl_bitmap_alloc wants a ctx only for its allocator; this is the same */
	b->avail_vcpus.size = (uint32_t)((spec->vcpus_max + 7) / 8);
	b->avail_vcpus.map = xcalloc(b->avail_vcpus.size, 1);
	for (i = 0; i < spec->vcpus_at_startup; i++)
		b->avail_vcpus.map[i / 8] |= (uint8_t)(1u << (i % 8));
}

int xd_hv_xen_config_build(const xd_hv_domain_spec *spec, libxl_domain_config *out,
			   xd_error *err)
{
	const char *kind;
	libxl_domain_type type;
	bool hvm;
	int i;

	libxl_domain_config_init(out);
	if (xd_hv_spec_check(spec, err) < 0)
		goto fail;
	kind = xd_hv_domain_kind(spec->domain_type);
	type = strcmp(kind, "hvm") == 0 ? LIBXL_DOMAIN_TYPE_HVM
	       : strcmp(kind, "pv") == 0 ? LIBXL_DOMAIN_TYPE_PV : LIBXL_DOMAIN_TYPE_PVH;
	hvm = type == LIBXL_DOMAIN_TYPE_HVM;

	out->c_info.type = type;
	out->c_info.name = xstrdup(spec->vm_uuid);
	if (libxl_uuid_from_string(&out->c_info.uuid, spec->vm_uuid) != 0) {
		xd_error_set(err, "UUID_INVALID", "VM", spec->vm_uuid, NULL);
		goto fail;
	}

	libxl_domain_build_info_init_type(&out->b_info, type);
	out->b_info.max_memkb = (uint64_t)spec->memory_static_max / 1024;
	out->b_info.target_memkb = (uint64_t)spec->memory_target / 1024;
	vcpus(spec, &out->b_info);
	if (hvm ? hvm_boot(spec, &out->b_info, err) < 0
		: direct_or_indirect_boot(spec, &out->b_info, err) < 0)
		goto fail;

	if (spec->ndisks > 0) {
		out->disks = xcalloc((size_t)spec->ndisks, sizeof(*out->disks));
		for (i = 0; i < spec->ndisks; i++) {
			if (xd_hv_xen_config_disk(&spec->disks[i], &out->disks[i], err) < 0)
				goto fail;
			out->num_disks = i + 1;
		}
	}
	if (spec->nnics > 0) {
		out->nics = xcalloc((size_t)spec->nnics, sizeof(*out->nics));
		for (i = 0; i < spec->nnics; i++) {
			if (xd_hv_xen_config_nic(&spec->nics[i], hvm, &out->nics[i], err) < 0)
				goto fail;
			out->num_nics = i + 1;
		}
	}

	/* what the guest's own shutdown does; xapid's watcher acts on the
	 * reason (VM.actions_after_*), libxl only records these */
	out->on_poweroff = LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
	out->on_reboot = LIBXL_ACTION_ON_SHUTDOWN_RESTART;
	out->on_watchdog = LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
	out->on_crash = LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
	out->on_soft_reset = LIBXL_ACTION_ON_SHUTDOWN_SOFT_RESET;
	return 0;
fail:
	libxl_domain_config_dispose(out);
	libxl_domain_config_init(out);
	return -1;
}

char *xd_hv_xen_config_json(libxl_ctx *ctx, libxl_domain_config *cfg)
{
	return libxl_domain_config_to_json(ctx, cfg);
}
