/* iscsi_conn.c - the target through libiscsi: login, discovery, LUNs and
 * their SCSI ids, block reads and writes. Every command has a timeout
 * (plugin setting io_timeout, seconds), so a target that stops answering
 * fails the call instead of hanging it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "iscsi_int.h"

#define ISC_DEFAULT_INITIATOR "iqn.2026-12.org.xapi-c:initiator"
#define ISC_DEFAULT_IO_TIMEOUT 30
#define ISC_XML_MAX 65536
#define ISC_COPY_CHUNK (1u << 20)

static int io_timeout(struct isc_ctx *ctx)
{
	const char *v = ctx->drv->host->config_get(ctx->drv->self, "io_timeout");
	int t = v ? atoi(v) : 0;
	return t > 0 ? t : ISC_DEFAULT_IO_TIMEOUT;
}

static const char *initiator(struct isc_ctx *ctx)
{
	const char *v = ctx->drv->host->config_get(ctx->drv->self, "initiator_iqn");
	return v && *v ? v : ISC_DEFAULT_INITIATOR;
}

/* A connected (not logged-in) context for the portal: 141 if the target
 * does not answer. */
static struct iscsi_context *connect_portal(struct isc_ctx *ctx, bool discovery)
{
	struct iscsi_context *is = iscsi_create_context(initiator(ctx));
	if (!is) {
		isc_fail(ctx, IE_EIO, "cannot make an iSCSI context (out of memory)");
		return NULL;
	}
	iscsi_set_timeout(is, io_timeout(ctx));
	iscsi_set_tcp_syncnt(is, 2);           /* a silent address fails in seconds */
	iscsi_set_noautoreconnect(is, 1);      /* a lost target fails the op, now */
	iscsi_set_session_type(is, discovery ? ISCSI_SESSION_DISCOVERY : ISCSI_SESSION_NORMAL);
	iscsi_set_header_digest(is, ISCSI_HEADER_DIGEST_NONE_CRC32C);
	if (!discovery && ctx->t.iqn)
		iscsi_set_targetname(is, ctx->t.iqn);
	if (ctx->t.chapuser)
		iscsi_set_initiator_username_pwd(is, ctx->t.chapuser, ctx->t.chappassword);
	if (iscsi_connect_sync(is, ctx->t.portal) != 0) {
		isc_fail(ctx, IE_ISCSI_TARGET,
			 "Unable to connect to ISCSI service on target [opterr=%s: %s]",
			 ctx->t.portal, iscsi_get_error(is));
		iscsi_destroy_context(is);
		return NULL;
	}
	return is;
}

/* Fails with 68 (the target refused the login: CHAP, ACL) or 96 (no such
 * target), as sm's ISCSISR does. */
static int login_failed(struct isc_ctx *ctx, struct iscsi_context *is)
{
	const char *why = iscsi_get_error(is);
	int rc;
	if (why && (strstr(why, "not found") || strstr(why, "Target removed")))
		rc = isc_fail(ctx, IE_TARGET_IQN,
			      "The request is missing or has an incorrect target IQN parameter "
			      "[opterr=%s: %s]", ctx->t.iqn ? ctx->t.iqn : "", why);
	else
		rc = isc_fail(ctx, IE_ISCSI_LOGIN,
			      "ISCSI login failed - check access settings for the initiator on the "
			      "storage, if CHAP is used verify CHAP credentials [opterr=%s]",
			      why ? why : "login refused");
	iscsi_destroy_context(is);
	return rc;
}

int isc_login(struct isc_ctx *ctx)
{
	if (ctx->iscsi)
		return 0;
	if (!ctx->t.iqn)
		return isc_probe_iqns(ctx);
	struct iscsi_context *is = connect_portal(ctx, false);
	if (!is)
		return -1;
	if (iscsi_login_sync(is) != 0)
		return login_failed(ctx, is);
	ctx->iscsi = is;
	return 0;
}

int isc_probe_iqns(struct isc_ctx *ctx)
{
	struct iscsi_context *is = connect_portal(ctx, true);
	if (!is)
		return -1;
	if (iscsi_login_sync(is) != 0)
		return login_failed(ctx, is);
	struct iscsi_discovery_address *da = iscsi_discovery_sync(is);
	if (!da && iscsi_get_error(is) && *iscsi_get_error(is) &&
	    !strstr(iscsi_get_error(is), "success")) {
		int rc = isc_fail(ctx, IE_ISCSI_TARGET, "Unable to connect to ISCSI service on "
				  "target [opterr=discovery: %s]", iscsi_get_error(is));
		iscsi_logout_sync(is);
		iscsi_destroy_context(is);
		return rc;
	}
	/* sm's BaseISCSI.print_entries: one TGT per target, then the "*" entry
	 * for every target of the portal; Port only when not 3260. */
	char *xml = calloc(1, ISC_XML_MAX);
	if (!xml) {
		iscsi_free_discovery_data(is, da);
		iscsi_destroy_context(is);
		return isc_fail(ctx, IE_EIO, "out of memory");
	}
	char port[64] = "";
	if (ctx->t.port != ISC_DEFAULT_PORT)
		snprintf(port, sizeof(port), "\t\t<Port>%d</Port>\n", ctx->t.port);
	strcat(xml, "<?xml version=\"1.0\" ?>\n<iscsi-target-iqns>\n");
	int index = 0;
	for (struct iscsi_discovery_address *a = da;; a = a->next, index++) {
		size_t n = strlen(xml);
		snprintf(xml + n, ISC_XML_MAX - n, "\t<TGT>\n\t\t<Index>%d</Index>\n\t\t<IPAddress>",
			 index);
		isc_xml_text(xml, ISC_XML_MAX, ctx->t.host);
		n = strlen(xml);
		snprintf(xml + n, ISC_XML_MAX - n, "</IPAddress>\n%s\t\t<TargetIQN>", port);
		isc_xml_text(xml, ISC_XML_MAX, a ? a->target_name : "*");
		n = strlen(xml);
		snprintf(xml + n, ISC_XML_MAX - n, "</TargetIQN>\n\t</TGT>\n");
		if (!a)
			break;
	}
	size_t n = strlen(xml);
	snprintf(xml + n, ISC_XML_MAX - n, "</iscsi-target-iqns>\n");
	if (da)
		iscsi_free_discovery_data(is, da);
	iscsi_logout_sync(is);
	iscsi_destroy_context(is);
	int rc = isc_fail_detail(ctx, IE_TARGET_IQN, xml,
				 "The request is missing or has an incorrect target IQN parameter");
	free(xml);
	return rc;
}

/* What the probe and the SCSIid lookup know of one LUN. */
struct lun_facts {
	int lun;
	bool disk;
	char vendor[16], serial[128], scsiid[160];
	uint64_t size;
	uint32_t block;
};

static void trim(char *s)
{
	size_t n = strlen(s), lead = strspn(s, " ");
	while (n > lead && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		s[--n] = '\0';
	memmove(s, s + lead, n - lead + 1);
}

/* The id udev's scsi_id -g gives (what xapi's SCSIid is): the page 0x83
 * designator it prefers, NAA first ("3" + hex), then EUI-64 ("2" + hex),
 * then T10 vendor id ("1" + text). */
static void scsi_id_of(struct iscsi_context *is, int lun, char *out, size_t size)
{
	out[0] = '\0';
	struct scsi_task *t = iscsi_inquiry_sync(is, lun, 1, SCSI_INQUIRY_PAGECODE_DEVICE_IDENTIFICATION,
						 255);
	if (!t || t->status != SCSI_STATUS_GOOD) {
		if (t)
			scsi_free_scsi_task(t);
		return;
	}
	struct scsi_inquiry_device_identification *id = scsi_datain_unmarshall(t);
	int best = 0;
	for (struct scsi_inquiry_device_designator *d = id ? id->designators : NULL; d; d = d->next) {
		if (d->association != SCSI_ASSOCIATION_LOGICAL_UNIT)
			continue;
		int rank = d->designator_type == SCSI_DESIGNATOR_TYPE_NAA ? 3 :
			   d->designator_type == SCSI_DESIGNATOR_TYPE_EUI_64 ? 2 :
			   d->designator_type == SCSI_DESIGNATOR_TYPE_T10_VENDORT_ID ? 1 : 0;
		if (rank <= best)
			continue;
		best = rank;
		size_t n = (size_t)snprintf(out, size, "%d", rank);
		for (int i = 0; i < d->designator_length && n + 3 < size; i++) {
			unsigned char c = (unsigned char)d->designator[i];
			if (rank == 1)
				out[n++] = c == ' ' ? '_' : (char)c;
			else
				n += (size_t)snprintf(out + n, size - n, "%02x", c);
		}
		out[n] = '\0';
	}
	scsi_free_scsi_task(t);
}

static void lun_facts_of(struct iscsi_context *is, int lun, struct lun_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->lun = lun;
	struct scsi_task *t = iscsi_inquiry_sync(is, lun, 0, 0, 64);
	if (t && t->status == SCSI_STATUS_GOOD) {
		struct scsi_inquiry_standard *inq = scsi_datain_unmarshall(t);
		if (inq) {
			f->disk = inq->device_type == SCSI_INQUIRY_PERIPHERAL_DEVICE_TYPE_DIRECT_ACCESS;
			snprintf(f->vendor, sizeof(f->vendor), "%s", inq->vendor_identification);
			trim(f->vendor);
		}
	}
	if (t)
		scsi_free_scsi_task(t);
	if (!f->disk)
		return;
	t = iscsi_inquiry_sync(is, lun, 1, SCSI_INQUIRY_PAGECODE_UNIT_SERIAL_NUMBER, 255);
	if (t && t->status == SCSI_STATUS_GOOD) {
		struct scsi_inquiry_unit_serial_number *sn = scsi_datain_unmarshall(t);
		if (sn && sn->usn)
			snprintf(f->serial, sizeof(f->serial), "%s", sn->usn);
		trim(f->serial);
	}
	if (t)
		scsi_free_scsi_task(t);
	/* the first command after login may meet a UNIT ATTENTION: ask again */
	for (int tries = 0; tries < 3; tries++) {
		t = iscsi_readcapacity16_sync(is, lun);
		if (!t || t->status == SCSI_STATUS_GOOD)
			break;
		scsi_free_scsi_task(t);
		t = NULL;
	}
	if (t && t->status == SCSI_STATUS_GOOD) {
		struct scsi_readcapacity16 *rc = scsi_datain_unmarshall(t);
		if (rc) {
			f->block = rc->block_length;
			f->size = (rc->returned_lba + 1) * (uint64_t)rc->block_length;
		}
	}
	if (t)
		scsi_free_scsi_task(t);
	scsi_id_of(is, lun, f->scsiid, sizeof(f->scsiid));
}

/* The LUNs of the target (REPORT LUNS); *n of them into a calloc'd array. */
static struct lun_facts *list_luns(struct isc_ctx *ctx, size_t *n)
{
	*n = 0;
	struct scsi_task *t = iscsi_reportluns_sync(ctx->iscsi, 0, 16384);
	if (!t || t->status != SCSI_STATUS_GOOD) {
		isc_fail(ctx, IE_SR_UNAVAILABLE, "The SR is not available [opterr=REPORT LUNS: %s]",
			 iscsi_get_error(ctx->iscsi));
		if (t)
			scsi_free_scsi_task(t);
		return NULL;
	}
	struct scsi_reportluns_list *l = scsi_datain_unmarshall(t);
	size_t count = l ? l->num : 0;
	struct lun_facts *v = calloc(count + 1, sizeof(*v));
	for (size_t i = 0; v && i < count; i++)
		lun_facts_of(ctx->iscsi, l->luns[i], &v[(*n)++]);
	scsi_free_scsi_task(t);
	if (!v)
		isc_fail(ctx, IE_EIO, "out of memory");
	return v;
}

int isc_probe_luns(struct isc_ctx *ctx)
{
	if (isc_login(ctx) < 0)
		return -1;
	size_t n;
	struct lun_facts *v = list_luns(ctx, &n);
	if (!v)
		return -1;
	char *xml = calloc(1, ISC_XML_MAX);
	if (!xml) {
		free(v);
		return isc_fail(ctx, IE_EIO, "out of memory");
	}
	/* sm's LVHDoISCSISR.print_LUNs_XML: vendor, serial, LUNid, size,
	 * SCSIid of every disk LUN (empty fields left out) */
	strcat(xml, "<?xml version=\"1.0\" ?>\n<iscsi-target>\n");
	for (size_t i = 0; i < n; i++) {
		if (!v[i].disk)
			continue;
		char num[2][32];
		snprintf(num[0], sizeof(num[0]), "%d", v[i].lun);
		snprintf(num[1], sizeof(num[1]), "%llu", (unsigned long long)v[i].size);
		const char *key[] = { "vendor", "serial", "LUNid", "size", "SCSIid" };
		const char *val[] = { v[i].vendor, v[i].serial, num[0], num[1], v[i].scsiid };
		strcat(xml, "\t<LUN>\n");
		for (int k = 0; k < 5; k++) {
			if (!*val[k])
				continue;
			size_t len = strlen(xml);
			snprintf(xml + len, ISC_XML_MAX - len, "\t\t<%s>", key[k]);
			isc_xml_text(xml, ISC_XML_MAX, val[k]);
			len = strlen(xml);
			snprintf(xml + len, ISC_XML_MAX - len, "</%s>\n", key[k]);
		}
		strcat(xml, "\t</LUN>\n");
	}
	strcat(xml, "</iscsi-target>\n");
	free(v);
	int rc = isc_fail_detail(ctx, IE_SCSIID, xml, "The SCSIid parameter is missing or incorrect");
	free(xml);
	return rc;
}

int isc_find_lun(struct isc_ctx *ctx)
{
	size_t n;
	struct lun_facts *v = list_luns(ctx, &n);
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i].disk && strcmp(v[i].scsiid, ctx->t.scsiid) == 0 && v[i].block) {
			ctx->lun = v[i].lun;
			ctx->block = v[i].block;
			ctx->lun_bytes = v[i].size;
			free(v);
			if (ctx->lun_bytes < ISC_DATA_OFF + (uint64_t)ISC_EXTENT)
				return isc_fail(ctx, IE_NO_SPACE, "There is insufficient space "
						"[opterr=LUN %d holds %llu bytes]", ctx->lun,
						(unsigned long long)ctx->lun_bytes);
			return 0;
		}
	}
	free(v);
	return isc_fail(ctx, IE_SCSIID, "The SCSIid parameter is missing or incorrect "
			"[opterr=no LUN of %s has SCSIid %s]", ctx->t.iqn, ctx->t.scsiid);
}

int isc_open(struct isc_ctx *ctx)
{
	if (ctx->lun >= 0)
		return 0;
	if (isc_login(ctx) < 0)
		return -1;
	if (!ctx->t.scsiid)
		return isc_probe_luns(ctx);
	return isc_find_lun(ctx);
}

static int io_failed(struct isc_ctx *ctx, const char *what, uint64_t off, struct scsi_task *t)
{
	int rc = isc_fail(ctx, IE_EIO, "I/O error [opterr=%s at byte %llu of LUN %d: %s]", what,
			  (unsigned long long)off, ctx->lun, iscsi_get_error(ctx->iscsi));
	if (t)
		scsi_free_scsi_task(t);
	return rc;
}

int isc_read(struct isc_ctx *ctx, uint64_t off, void *buf, uint32_t len)
{
	struct scsi_task *t = iscsi_read16_sync(ctx->iscsi, ctx->lun, off / ctx->block, len,
						ctx->block, 0, 0, 0, 0, 0);
	if (!t || t->status != SCSI_STATUS_GOOD || t->datain.size < (int)len)
		return io_failed(ctx, "read", off, t);
	memcpy(buf, t->datain.data, len);
	scsi_free_scsi_task(t);
	return 0;
}

int isc_write(struct isc_ctx *ctx, uint64_t off, const void *buf, uint32_t len)
{
	struct scsi_task *t = iscsi_write16_sync(ctx->iscsi, ctx->lun, off / ctx->block,
						 (unsigned char *)buf, len, ctx->block, 0, 0, 0, 0, 0);
	if (!t || t->status != SCSI_STATUS_GOOD)
		return io_failed(ctx, "write", off, t);
	scsi_free_scsi_task(t);
	return 0;
}

/* WRITE SAME(16) of zeroes over [off, off+n): with UNMAP where the LUN is
 * thin (the target may just deallocate: tgtd with thin_provisioning=1
 * punches a hole), else written by the target itself; 0 if done. */
static int write_same(struct isc_ctx *ctx, uint64_t off, uint64_t n, int unmap)
{
	static const unsigned char block[4096];
	if (ctx->block > sizeof(block))
		return -1;
	struct scsi_task *t = iscsi_writesame16_sync(ctx->iscsi, ctx->lun, off / ctx->block,
						     (unsigned char *)block, ctx->block,
						     (uint32_t)(n / ctx->block), 0, unmap, 0, 0);
	bool ok = t && t->status == SCSI_STATUS_GOOD;
	if (t)
		scsi_free_scsi_task(t);
	return ok ? 0 : -1;
}

int isc_zero(struct isc_ctx *ctx, uint64_t off, uint64_t len)
{
	/* the target does the work where it can: one command per 256 MiB;
	 * zero buffers sent over the wire only where WRITE SAME is refused */
	const uint64_t same_max = 256ull << 20;
	int how = 1; /* 1: WRITE SAME + UNMAP, 0: WRITE SAME, -1: plain writes */
	unsigned char *z = NULL;
	int rc = 0;
	for (uint64_t done = 0; done < len && rc == 0;) {
		uint64_t n = len - done < same_max ? len - done : same_max;
		if (how >= 0 && write_same(ctx, off + done, n, how) == 0) {
			done += n;
		} else if (how >= 0) {
			how--;
			continue;
		} else {
			n = n < ISC_COPY_CHUNK ? n : ISC_COPY_CHUNK;
			if (!z && !(z = calloc(1, ISC_COPY_CHUNK))) {
				rc = isc_fail(ctx, IE_EIO, "out of memory");
				break;
			}
			rc = isc_write(ctx, off + done, z, (uint32_t)n);
			done += n;
		}
		if (rc == 0 && ctx->drv->host->cancelled(ctx->call))
			rc = XAPI_E_CANCELLED;
	}
	free(z);
	return rc;
}

int isc_copy(struct isc_ctx *ctx, uint64_t src, uint64_t dst, uint64_t len)
{
	unsigned char *buf = malloc(ISC_COPY_CHUNK);
	if (!buf)
		return isc_fail(ctx, IE_EIO, "out of memory");
	int rc = 0;
	for (uint64_t done = 0; done < len && rc == 0; done += ISC_COPY_CHUNK) {
		uint32_t n = (uint32_t)(len - done < ISC_COPY_CHUNK ? len - done : ISC_COPY_CHUNK);
		rc = isc_read(ctx, src + done, buf, n);
		if (rc == 0)
			rc = isc_write(ctx, dst + done, buf, n);
		ctx->drv->host->progress(ctx->call, (double)(done + n) / (double)len);
		if (rc == 0 && ctx->drv->host->cancelled(ctx->call))
			rc = XAPI_E_CANCELLED;
	}
	free(buf);
	return rc;
}
