/* dm_relations.c - the one-to-many relations among the classes we serve,
 * declared by name (as upstream's all_relations in ocaml/idl/datamodel.ml,
 * restricted to our classes). xd_dm_init() resolves them and checks that the
 * "one" side is a `<many class> ref` field and the "many" side a
 * `<one class> ref set` field; the db keeps both sides consistent.
 *
 * Left out on purpose:
 *  - task.session <-> session.tasks: upstream's task.session is an internal
 *    field that is not part of the published datamodel, so there is no field
 *    to declare it on; session.tasks stays a plain read-only set.
 *  - relations to classes we do not serve (VM.crash_dumps, VDI.crash_dumps,
 *    VM.VTPMs, VM.VGPUs, host.PCIs, VM.appliance...).
 *  - single pointers that are not relations (VM.metrics, VM.guest_metrics,
 *    host.metrics, PIF.metrics, VLAN.untagged_PIF, pool.master, ...).
 */
#include "dm_decl.h"

const xd_decl_relation xd_decl_relations[] = {
	/* one side: ref field       many side: ref set */
	{ "VBD", "VM",               "VM", "VBDs" },
	{ "VBD", "VDI",              "VDI", "VBDs" },
	{ "VIF", "VM",               "VM", "VIFs" },
	{ "VIF", "network",          "network", "VIFs" },
	{ "PIF", "host",             "host", "PIFs" },
	{ "PIF", "network",          "network", "PIFs" },
	{ "PBD", "host",             "host", "PBDs" },
	{ "PBD", "SR",               "SR", "PBDs" },
	{ "VDI", "SR",               "SR", "VDIs" },
	{ "VM", "resident_on",       "host", "resident_VMs" },
	{ "console", "VM",           "VM", "consoles" },
	{ "host_cpu", "host",        "host", "host_CPUs" },
	{ "VM", "snapshot_of",       "VM", "snapshots" },
	{ "VDI", "snapshot_of",      "VDI", "snapshots" },
	{ "VM", "parent",            "VM", "children" },
	{ "task", "subtask_of",      "task", "subtasks" },
	{ "PIF", "bond_slave_of",    "Bond", "slaves" },
	{ "Bond", "master",          "PIF", "bond_master_of" },
	{ "VLAN", "tagged_PIF",      "PIF", "VLAN_slave_of" },
	{ "tunnel", "access_PIF",    "PIF", "tunnel_access_PIF_of" },
	{ "tunnel", "transport_PIF", "PIF", "tunnel_transport_PIF_of" },
	{ "VDI", "metadata_of_pool", "pool", "metadata_VDIs" },
};

const size_t xd_decl_nrelations = sizeof(xd_decl_relations) / sizeof(xd_decl_relations[0]);
