/* host_bios.c - this host's BIOS strings (see firstboot.h): the keys xapi
 * reads from the SMBIOS tables with dmidecode (types 0, 1, 2), read here
 * from the kernel's copy in /sys/class/dmi/id; then xapi's standard OEM
 * strings and hp-rombios. A key the machine does not have (no DMI in a
 * container, a serial number only root may read) is "", as xapi's is. */
#include "firstboot.h"
#include "bios_strings.h"

#include <stdio.h>
#include <string.h>

#define DMI_DIR "/sys/class/dmi/id/"

static const struct {
	const char *key, *file;
} dmi_keys[] = {
	{ "bios-vendor", "bios_vendor" },
	{ "bios-version", "bios_version" },
	{ "system-manufacturer", "sys_vendor" },
	{ "system-product-name", "product_name" },
	{ "system-version", "product_version" },
	{ "system-serial-number", "product_serial" },
	{ "baseboard-manufacturer", "board_vendor" },
	{ "baseboard-product-name", "board_name" },
	{ "baseboard-version", "board_version" },
	{ "baseboard-serial-number", "board_serial" },
};

/* The file's first line, printable ASCII only, trimmed; "Not Specified"
 * is "" (as xapi's reading of dmidecode). */
static void read_dmi(const char *file, char *out, size_t outlen)
{
	char path[128], raw[512];
	size_t n = 0;
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof path, DMI_DIR "%s", file);
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(raw, sizeof raw, f))
		raw[0] = '\0';
	fclose(f);
	for (const char *p = raw; *p && n + 1 < outlen; p++)
		if (*p >= ' ' && *p <= '~' && (n > 0 || *p != ' '))
			out[n++] = *p;
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	if (strcmp(out, "Not Specified") == 0)
		out[0] = '\0';
}

xd_value *xd_host_bios_strings(void)
{
	xd_value *m = xd_struct();
	char v[512];

	for (size_t i = 0; i < sizeof dmi_keys / sizeof dmi_keys[0]; i++) {
		read_dmi(dmi_keys[i].file, v, sizeof v);
		xd_struct_set_take(m, dmi_keys[i].key, xd_string(v));
	}
	/* then xapi's hp-rombios and standard type 11 (OEM) strings: the
	 * generic set's last keys */
	for (size_t i = XD_BIOS_SETTABLE; i < XD_BIOS_GENERIC_COUNT; i++)
		xd_struct_set_take(m, xd_bios_generic[i][0], xd_string(xd_bios_generic[i][1]));
	return m;
}
