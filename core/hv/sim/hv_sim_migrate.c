/* hv_sim_migrate.c - migration on the simulated host: migrate_receive
 * registers a receiver under its URL and waits for a sender; migrate_send
 * hands the domain over as a suspend image (hv_sim_image.h) to the
 * receiver of that URL, which checks it against its VM and builds it
 * paused; then the sender's domain goes. A failure on either side leaves
 * the domain with the sender, which gets the receiver's error.
 * Both sides run in the same process (a host talking to itself, as in a
 * localhost migration): the registry is keyed by URL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/hv_int.h"
#include "hv_sim_int.h"
#include "log.h"

#define MIGRATE_RECEIVE_WAIT_S 30.0   /* a receiver waits this long for a sender */
#define MIGRATE_SEND_WAIT_S 2.0       /* a sender waits this long for a receiver */
#define MIGRATE_HANDOVER_WAIT_S 30.0  /* and this long for the receiver to finish */

/* A migration being received at url; shared by the receiving and the
 * sending thread (refs), freed by the last. */
typedef struct sim_receiver {
	struct sim_receiver *next;
	char *url;
	int refs;
	bool delivered, done, cancelled;
	xd_sim_image img;
	int rc;
	xd_error err;
} sim_receiver;

static sim_receiver *receivers; /* under xd_sim_lock */

static sim_receiver *receiver_at(const char *url)
{
	sim_receiver *r;

	for (r = receivers; r; r = r->next)
		if (strcmp(r->url, url) == 0)
			return r;
	return NULL;
}

static void receiver_unlink(sim_receiver *r)
{
	sim_receiver **p;

	for (p = &receivers; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			break;
		}
	r->next = NULL;
}

static void receiver_unref(sim_receiver *r)
{
	if (--r->refs > 0)
		return;
	free(r->url);
	xd_sim_image_clear(&r->img);
	xd_error_clear(&r->err);
	free(r);
}

int xd_sim_migrate_receive(const xd_hv_domain_spec *spec, const char *url, xd_error *err)
{
	double deadline = xd_sim_now() + MIGRATE_RECEIVE_WAIT_S;
	sim_receiver *r;
	int domid = -1;

	if (xd_hv_spec_check(spec, err) < 0)
		return -1;
	if (!url || !*url)
		return xd_error_setf(err, "INTERNAL_ERROR", "migration without a URL");
	xd_sim_lock();
	if (receiver_at(url)) {
		xd_error_setf(err, "INTERNAL_ERROR", "a migration is already being received at %s", url);
		goto out;
	}
	r = xd_sim_calloc(1, sizeof(*r));
	r->url = xd_sim_strdup(url);
	r->refs = 1;
	r->next = receivers;
	receivers = r;
	xd_sim_changed();
	while (!r->delivered && !r->cancelled && xd_sim_now() < deadline)
		xd_sim_wait_until(deadline);
	receiver_unlink(r);
	if (r->cancelled) {
		xd_error_setf(err, "INTERNAL_ERROR", "the simulated host was reset");
	} else if (!r->delivered) {
		xd_error_setf(err, "INTERNAL_ERROR", "no migration arrived at %s", url);
	} else if (xd_sim_image_check(&r->img, spec, url, &r->err) == 0) {
		/* the sender still holds its domain until we are done */
		domid = xd_sim_build_from_image(spec, &r->img, true, &r->err);
	}
	if (r->delivered && !r->cancelled) {
		r->rc = domid > 0 ? 0 : -1;
		if (domid < 0)
			xd_error_copy(err, &r->err);
		r->done = true;
		xd_sim_changed();
	}
	receiver_unref(r);
out:
	xd_sim_unlock();
	if (domid > 0)
		xd_info("sim: VM %s received at %s as domain %d", spec->vm_uuid, url, domid);
	return domid;
}

static int migrate_failed(xd_error *err, const char *vm_uuid, const char *url, const char *msg)
{
	return xd_error_set(err, "VM_MIGRATE_FAILED", vm_uuid, "localhost", url, msg, NULL);
}

int xd_sim_migrate_send(int domid, const char *url, bool live, xd_error *err)
{
	double deadline = xd_sim_now() + MIGRATE_SEND_WAIT_S;
	sim_receiver *r = NULL;
	char *vm_uuid = NULL;
	xd_sim_dom *d;
	int rc = -1;

	if (!url || !*url)
		return xd_error_setf(err, "INTERNAL_ERROR", "migration without a URL");
	xd_sim_lock();
	d = xd_sim_live_dom(domid, err);
	if (!d)
		goto out;
	vm_uuid = xd_sim_strdup(d->vm_uuid);
	/* the receiver may still be on its way */
	while (!((r = receiver_at(url)) && !r->delivered) && xd_sim_now() < deadline)
		xd_sim_wait_until(deadline);
	if (!r || r->delivered) {
		r = NULL;
		migrate_failed(err, vm_uuid, url, "no receiver is waiting at this URL");
		goto out;
	}
	d = xd_sim_live_dom(domid, err); /* it may have gone while we waited */
	if (!d) {
		r = NULL;
		goto out;
	}
	xd_sim_image_of(d, &r->img);
	r->delivered = true;
	r->refs++;
	xd_sim_changed();
	deadline = xd_sim_now() + MIGRATE_HANDOVER_WAIT_S;
	while (!r->done && !r->cancelled && xd_sim_now() < deadline)
		xd_sim_wait_until(deadline);
	if (!r->done) {
		migrate_failed(err, vm_uuid, url, "the receiver did not answer");
		goto out;
	}
	if (r->rc < 0) {
		xd_error_copy(err, &r->err);
		goto out;
	}
	d = xd_sim_find(domid);
	if (d) /* the VM lives on at the receiver */
		xd_sim_dom_remove(d);
	xd_info("sim: domain %d (VM %s) sent to %s%s", domid, vm_uuid, url, live ? " (live)" : "");
	rc = 0;
out:
	if (r)
		receiver_unref(r);
	xd_sim_unlock();
	free(vm_uuid);
	return rc;
}


void xd_sim_migrate_reset(void)
{
	sim_receiver *r;

	xd_sim_lock();
	/* the waiting threads see cancelled, give up and free their receiver */
	while ((r = receivers) != NULL) {
		receiver_unlink(r);
		r->cancelled = true;
	}
	xd_sim_changed();
	xd_sim_unlock();
}
