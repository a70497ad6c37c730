/* bios_strings.h - xapi's generic BIOS strings (Constants.generic_bios_strings),
 * which the daemon gives a VM started without any and xe's
 * vm-is-bios-customized compares with. The first XD_BIOS_SETTABLE keys are
 * those a user may set (xapi's settable_vm_bios_string_keys). */
#ifndef XD_BIOS_STRINGS_H
#define XD_BIOS_STRINGS_H

#include <stddef.h>

#define XD_BIOS_GENERIC_COUNT 16
#define XD_BIOS_SETTABLE 13

/* key, value; in xapi's order. */
extern const char *const xd_bios_generic[XD_BIOS_GENERIC_COUNT][2];

#endif
