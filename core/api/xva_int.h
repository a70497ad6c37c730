/* xva_int.h - what the XVA export (vm_export.c) and import (vm_import.c)
 * share: the table of the objects an XVA holds (an XVA names each by an id
 * "Ref:<n>", as xapi's export.ml does, never by its ref on the host it came
 * from) and the network seam. Private to api/.
 *
 * Owns: the table's strings.
 */
#ifndef XD_XVA_INT_H
#define XD_XVA_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "rpc/rpc.h"
#include "value.h"

/* ova.xml is the first member of every XVA. */
#define XD_XVA_OVA "ova.xml"

typedef struct xd_xva_obj {
	char *cls;   /* "VM", "VBD", "VDI", "SR", "VIF", "network" */
	char *ref;   /* export: the object's ref here; import: the one made for it */
	char *id;    /* "Ref:<n>" in the XVA */
} xd_xva_obj;

typedef struct xd_xva_table {
	xd_xva_obj *o;
	size_t n, cap;
} xd_xva_table;

void xd_xva_table_add(xd_xva_table *t, const char *cls, const char *ref, const char *id);
/* The id of ref (export) or NULL. */
const char *xd_xva_id_of(const xd_xva_table *t, const char *ref);
/* The ref made for id (import) or NULL. */
const char *xd_xva_ref_of(const xd_xva_table *t, const char *id);
void xd_xva_table_free(xd_xva_table *t);

/* Rewrites every reference in a record (a field, or the items of a set):
 * export: refs of the table become their ids, others OpaqueRef:NULL (sets
 * drop them); import: ids become the refs made for them, other refs
 * OpaqueRef:NULL. */
void xd_xva_map_refs(xd_value *rec, const xd_xva_table *t, bool to_ids);

/* The network seam (xva_net.c): the network a VIF of an imported VM joins,
 * as xapi's import.ml finds it: by name_label, else by bridge, else one is
 * created from the record in the XVA (*created set: the import's clean-up
 * destroys it). NULL with err on failure. */
char *xd_xva_network_for(const char *session, const xd_peer *peer, const xd_value *net_rec,
			 bool *created, xd_error *err);

/* MAC seeds on import (xva_mac_seed.c): a plain import gives each VM a
 * fresh other_config:mac_seed; a full restore (restore=true) first checks
 * the archive's seeds against the VMs here (DUPLICATE_MAC_SEED [seed]). */
void xd_xva_fresh_mac_seed(xd_value *vm_rec);
int xd_xva_check_mac_seeds(const xd_value *objects, xd_error *err);

#endif
