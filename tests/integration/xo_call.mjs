// xo_call.mjs - Xen Orchestra's `xen-api` client (the npm package, module
// path in XEN_API_MODULE) against xapid, for the integration tests:
//     URL=https://127.0.0.1:PORT/ XO_USER=root XO_PASSWORD=pw TRANSPORT=xml-rpc|json-rpc|auto \
//     INSECURE=1|0 node xo_call.mjs
// Connects (login), reads the pool, creates a VM from a record, reads its
// name back through xen-api's object cache-free call, destroys it, and
// disconnects (logout). Prints one JSON object: {session, pool, vm, label}
// or {error: code/message} when connecting or a call fails.
const { createClient } = await import(process.env.XEN_API_MODULE)

const xapi = createClient({
  url: process.env.URL,
  auth: { user: process.env.XO_USER, password: process.env.XO_PASSWORD },
  allowUnauthorized: process.env.INSECURE === '1',
  transport: process.env.TRANSPORT || 'auto',
  watchEvents: false,
})

const out = {}
try {
  await xapi.connect()
  out.session = xapi.sessionId
  const pools = await xapi.call('pool.get_all')
  out.pool = await xapi.call('pool.get_name_label', pools[0])
  const mib = n => String(n * 1024 * 1024)
  out.vm = await xapi.call('VM.create', {
    name_label: 'xo <&> vm', name_description: '', user_version: '1', is_a_template: false,
    affinity: 'OpaqueRef:NULL', memory_static_max: mib(256), memory_dynamic_max: mib(256),
    memory_dynamic_min: mib(128), memory_static_min: mib(128), VCPUs_params: {},
    VCPUs_max: '1', VCPUs_at_startup: '1', actions_after_shutdown: 'destroy',
    actions_after_reboot: 'restart', actions_after_crash: 'destroy', PV_bootloader: '',
    PV_kernel: '', PV_ramdisk: '', PV_args: '', PV_bootloader_args: '', PV_legacy_args: '',
    HVM_boot_policy: 'BIOS order', HVM_boot_params: { order: 'cd' }, platform: {},
    PCI_bus: '', other_config: {}, recommendations: '',
  })
  out.label = await xapi.call('VM.get_name_label', out.vm)
  await xapi.call('VM.destroy', out.vm)
} catch (error) {
  out.error = error.code ?? error.message
}
await xapi.disconnect()
console.log(JSON.stringify(out))
