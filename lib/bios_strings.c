/* bios_strings.c - xapi's generic BIOS strings (see bios_strings.h). */
#include "bios_strings.h"

const char *const xd_bios_generic[XD_BIOS_GENERIC_COUNT][2] = {
	{ "bios-vendor", "Xen" },
	{ "bios-version", "" },
	{ "system-manufacturer", "Xen" },
	{ "system-product-name", "HVM domU" },
	{ "system-version", "" },
	{ "system-serial-number", "" },
	{ "baseboard-manufacturer", "" },
	{ "baseboard-product-name", "" },
	{ "baseboard-version", "" },
	{ "baseboard-serial-number", "" },
	{ "baseboard-asset-tag", "" },
	{ "baseboard-location-in-chassis", "" },
	{ "enclosure-asset-tag", "" },
	/* not settable from here on */
	{ "hp-rombios", "" },
	{ "oem-1", "Xen" },
	{ "oem-2", "MS_VM_CERT/SHA1/bdbeb6e0a816d43fa6d3fe8aaef04c2bad9d3e3d" },
};
