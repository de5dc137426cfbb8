/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libllmsched: the module's generic netlink events, on libnl-genl-3.
 *
 * The module streams every task state change and every agent arrival,
 * drain, fencing and departure to the multicast group "events" of the
 * generic netlink family "llmsched" (uapi/linux/llmsched.h), each message
 * with a sequence number (LLMSCHED_A_SEQ) that goes up by one per event.
 * A listener joins the group, and dumps (LLMSCHED_CMD_GET_TASK / _AGENT)
 * give the whole state at once, in messages of the same shape.  Both the
 * group and the dumps are for administrators: CAP_SYS_ADMIN.
 *
 *	struct llms_events *ev = NULL;
 *	struct llms_events_loss loss;
 *	uint64_t seq;
 *
 *	llms_events_open(&ev, &err);            join first, then
 *	llms_events_dump_tasks(ev, cb, arg, &seq, &err);  the state,
 *	llms_events_resync(ev, seq);            drop what the dump holds,
 *	for (;;) {                              then follow the changes
 *		poll() on llms_events_fd(ev) for POLLIN;
 *		llms_events_read(ev, cb, arg, &loss, &err);
 *		if (loss.overflows || loss.missed)
 *			dump and resync again;
 *	}
 *
 * Losing events, and resyncing.  Events are lost two ways: the socket's
 * receive buffer overflows (the kernel then reports ENOBUFS once), or the
 * module drops an event because its own ring of unsent events is full.
 * llms_events_read() reports both, in struct llms_events_loss: the first
 * as an overflow, both as a gap in the sequence numbers (counted when the
 * next event that did arrive is read).  Either way the caller's picture
 * is stale; it resyncs with a dump, which carries the SEQ of the last
 * event the module had sent when the dump began (the dump's SEQ, S).
 * Events with a SEQ <= S are already in the dump; events after S are
 * changes since.  Because the listener joined before the dump, none of
 * the latter is missed.  llms_events_resync(ev, S) drops the former for
 * the caller and restarts the gap accounting at S.
 *
 * With both dumps, dump the tasks first and resync to the tasks' S: the
 * agents' dump comes a moment later, so a few agent events may restate
 * what it showed; each event carries the new state (not a difference),
 * so applying them in order ends where the agents' dump was.  An empty
 * dump has no message to carry a SEQ (*seq is 0): then there is nothing
 * that a late event could contradict, and no resync is needed.
 *
 * Thread safety: a struct llms_events belongs to one thread at a time
 * (libnl's sockets are not thread safe): calls on the same one must not
 * overlap, and a callback must not call back into the same one.  Separate
 * listeners are independent.  The functions keep no global state.
 *
 * Linking: this file is not part of $(LIBLLMSCHED_SRCS), because it needs
 * libnl: a program that listens adds $(LIBLLMSCHED_EVENTS_SRCS) to its
 * sources, $(LIBLLMSCHED_EVENTS_CFLAGS) to its CFLAGS and
 * $(LIBLLMSCHED_EVENTS_LDLIBS) to its LDLIBS (runtime/lib/lib.mk).  This
 * header itself does not include libnl's.
 */
#ifndef LLMSCHED_LIB_EVENTS_H
#define LLMSCHED_LIB_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/llmsched.h>

#include "error.h"

/* The receive buffer llms_events_open() asks for. */
#define LLMS_EVENTS_RCVBUF_DEFAULT	(16 << 20)

/*
 * Messages llms_events_read() takes in per call at most, so that a busy
 * stream cannot hold its caller: poll() says when more wait.
 */
#define LLMS_EVENTS_READ_MAX		1024

/*
 * One message of the family: an event, or one task or agent of a dump.
 * Only the attributes the message had are set (the others are 0);
 * llms_event_has() says which.  What a kernel newer than this header adds
 * (attributes past LLMSCHED_A_MAX) is left out.
 *
 * @cmd: LLMSCHED_CMD_TASK_EVENT or LLMSCHED_CMD_AGENT_EVENT (dumps use
 *	the same commands); a newer kernel's command is handed on as it is.
 * @attrs: bit (1 << LLMSCHED_A_x) set for each attribute present.
 * @seq: LLMSCHED_A_SEQ: the event's number, or in a dump the dump's SEQ.
 * @gap: events: SEQ numbers missing just before this one (0 when none):
 *	events lost, see "Losing events" above.  Always 0 in dumps.
 * @from_dump: the message came from a dump, not from the group.
 * The others are the attributes of the same names in enum
 * llmsched_genl_attr; @label is "" when the task has none.
 */
struct llms_event {
	uint8_t cmd;
	bool from_dump;
	uint64_t attrs;
	uint64_t seq;
	uint64_t gap;
	uint64_t task_id;
	uint64_t time_ns;
	uint64_t cgroup_id;
	uint32_t state;
	uint32_t old_state;
	uint32_t reason;
	uint32_t agent_id;
	uint32_t uid;
	uint32_t priority;
	uint32_t wait;
	uint32_t slots;
	uint32_t used_slots;
	uint32_t load;
	int32_t exit_status;
	char label[LLMSCHED_LABEL_MAX];
};

/* The message had attribute @attr (enum llmsched_genl_attr). */
static inline bool llms_event_has(const struct llms_event *e,
				  unsigned int attr)
{
	return attr < 64 && (e->attrs >> attr & 1);
}

/*
 * What the caller gets each message through: 0 to go on, or a negative
 * errno to stop; the call that was reading then returns that errno (EIO
 * for a positive value), with *err saying the callback stopped it (see
 * each call for what happens to the messages not handed over yet).  @e
 * lives until the callback returns.
 */
typedef int (*llms_event_cb)(const struct llms_event *e, void *arg);

/* What was lost while reading: see "Losing events" above. */
struct llms_events_loss {
	/* ENOBUFS reports: the socket's receive buffer overflowed. */
	unsigned int overflows;
	/* SEQ numbers missing (the sum of the events' @gap). */
	uint64_t missed;
};

struct llms_events;

/*
 * Open a listener in *@ev: a generic netlink socket with the family and
 * its group resolved, the group joined, a receive buffer of
 * LLMS_EVENTS_RCVBUF_DEFAULT bytes (SO_RCVBUFFORCE with CAP_NET_ADMIN,
 * else SO_RCVBUF, which the kernel caps at net.core.rmem_max), and
 * non-blocking.  Events are queued from the moment it returns.
 * Errors: ENOENT when the family (or its group) is not registered: the
 * module is not loaded; EPERM without CAP_SYS_ADMIN ("listening to
 * llmsched events needs CAP_SYS_ADMIN: run as root"); ENOMEM; EIO (or
 * the socket's errno) for another failure of libnl or the socket.
 */
int llms_events_open(struct llms_events **ev, struct llms_error **err);

/*
 * Set the listener's receive buffer to @bytes (the kernel doubles it for
 * its bookkeeping and keeps a minimum): a big one rides out bursts, a
 * small one overflows soon (which is how the tests make one overflow).
 * SO_RCVBUFFORCE with CAP_NET_ADMIN, else SO_RCVBUF.  EINVAL when @bytes
 * is 0 or over INT_MAX / 2; the socket's errno otherwise.
 */
int llms_events_set_rcvbuf(struct llms_events *ev, size_t bytes,
			   struct llms_error **err);

/* The listener's socket, to poll() for POLLIN; it stays @ev's to close. */
int llms_events_fd(const struct llms_events *ev);

/*
 * Take in what is waiting on the listener, without waiting for more, and
 * hand each event to @cb; at most LLMS_EVENTS_READ_MAX messages.  Returns
 * the number of events handed over (0 when none waited).  *@loss (may be
 * NULL) says what was lost during this call: the caller that sees
 * overflows or missed events resyncs.  Events with a SEQ at or below the
 * one given to llms_events_resync() are dropped, uncounted.
 * Errors: what @cb returned, when it stopped (the messages after that one
 * stay for the next call); EPROTO for a message that does not parse (it
 * is skipped; the next call goes on after it, and the event it was shows
 * as a gap); the socket's errno for recv() failing otherwise.  *@loss is
 * filled in on errors too.
 */
int llms_events_read(struct llms_events *ev, llms_event_cb cb, void *arg,
		     struct llms_events_loss *loss, struct llms_error **err);

/*
 * The caller has the state as of SEQ @seq (a dump's): from now on
 * llms_events_read() drops events with a SEQ <= @seq, and counts gaps
 * only after @seq.  @seq 0 changes nothing.
 */
void llms_events_resync(struct llms_events *ev, uint64_t seq);

/*
 * Dump every task the module holds (LLMSCHED_CMD_GET_TASK), or every
 * agent (LLMSCHED_CMD_GET_AGENT), to @cb, on a socket of their own (the
 * listener's queue is left alone); @ev may be NULL for a dump without a
 * listener.  Each message has @from_dump set and the dump's SEQ in @seq,
 * also put in *@seq (may be NULL; 0 when the dump was empty).  Returns the
 * number of messages.  A task dump has no LLMSCHED_A_OLD_STATE; a waiting
 * task has LLMSCHED_A_WAIT.
 * Errors: EPERM without CAP_SYS_ADMIN ("dumping llmsched tasks needs
 * CAP_SYS_ADMIN: run as root"); ENOENT when the family is not registered;
 * what @cb returned when it stopped (the rest of the dump is dropped);
 * EPROTO for a message that does not parse; the kernel's or the socket's
 * errno otherwise.
 */
int llms_events_dump_tasks(struct llms_events *ev, llms_event_cb cb,
			   void *arg, uint64_t *seq, struct llms_error **err);
int llms_events_dump_agents(struct llms_events *ev, llms_event_cb cb,
			    void *arg, uint64_t *seq, struct llms_error **err);

/* Leave the group, close the socket and free @ev; NULL is fine. */
void llms_events_close(struct llms_events *ev);

/*
 * The command's name: "task-event", "agent-event", "get-task",
 * "get-agent"; "unknown" for another.
 */
const char *llms_event_cmd_name(uint8_t cmd);

#endif /* LLMSCHED_LIB_EVENTS_H */
