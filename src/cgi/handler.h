/*
 * handler: executes one bin/nightly.cgi request (routed and validated by
 * cgi/request) against the store: who is asking (REMOTE_USER in the users
 * table), whether they may (roles, the Origin check), the change itself
 * with its audit entry, and the re-render of the site so that a reload
 * shows the new state.
 *
 * Who may do what (docs/JOBS.md): every known user reads; viewers change
 * nothing; analysts and deployers change, queue runs of, and cancel runs
 * of the strategies they own (and cancel the runs they queued); admins
 * everything. Unknown users are 401.
 *
 * Changes take the run lock ([paths] db + ".lock", the one `nightly run`
 * holds while it works) for at most HANDLER_LOCK_WAIT_MS; when a night
 * holds it the answer is 503 with Retry-After and nothing is changed.
 * Under the lock: one transaction with the change and its audit entry
 * (actor = REMOTE_USER), then the whole site is rendered and swapped in
 * atomically (cmd_render_site), then the lock is released.
 *
 * A request that changes nothing (a PATCH to the current values, a cancel
 * of a finished run) takes no lock, writes nothing and renders nothing.
 */
#ifndef CGI_HANDLER_H
#define CGI_HANDLER_H

#include "cgi/request.h"
#include "cmd/cmd.h"

#define HANDLER_LOCK_WAIT_MS 2000
#define HANDLER_RETRY_AFTER 30

/*
 * Answer in: fills resp (response_init'ed by the caller). env holds the
 * configuration, the clock and the logger, as for bin/nightly's commands;
 * one log line ("cgi") per request goes to env->log. Never exits.
 */
void handler_answer(struct cmd_env *env, const struct cgi_input *in, struct response *resp);

#endif
