# lighttpd.sh: start and stop a throw-away lighttpd for the CGI tests.
# Source it, then:
#
#   LIGHTTPD_USERS="alice:pw-alice bob:pw-bob"        # Basic auth users (plain file)
#   lighttpd_start DIR DOCROOT CGI [NAME=VALUE ...]   # sets LIGHTTPD_PORT, LIGHTTPD_PID
#   ...
#   lighttpd_stop
#
# The server listens on 127.0.0.1 on a free port, runs in the foreground
# (-D) as the current user (no server.username: it never drops privileges,
# so as root it stays root, as the test's files need), and writes
# DIR/lighttpd.conf, DIR/users, DIR/error.log, DIR/access.log and
# DIR/lighttpd.out (its stderr, which the CGI's stderr joins).
#   /                          DOCROOT (the rendered out/), Basic auth
#   /cgi-bin/nightly.cgi/...   CGI (mod_cgi), Basic auth
#   /open-cgi/nightly.cgi/...  the same CGI with no server authentication,
#                              to show what the CGI does without REMOTE_USER
# The NAME=VALUE pairs become the CGI's environment (setenv.add-environment).
# .html answers carry Cache-Control: no-cache, as docs/DEPLOY.md advises.
# When the caller defines lighttpd_port_hook, it is called with the port
# before the server starts on it (again on a retry).
# lighttpd_start returns 1 (after printing why on stderr) when the server
# does not come up; lighttpd_stop is safe to call at any time (traps).

LIGHTTPD=${LIGHTTPD:-$(command -v lighttpd || echo /usr/sbin/lighttpd)}
LIGHTTPD_PID=
LIGHTTPD_PORT=

lighttpd_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# lighttpd_config DIR DOCROOT CGI PORT NAME=VALUE...
lighttpd_config() {
	_dir=$1 _root=$2 _cgi=$3 _port=$4
	shift 4
	_env=""
	for _kv in "$@"; do
		_env="$_env	\"${_kv%%=*}\" => \"${_kv#*=}\",
"
	done
	: >"$_dir/users"
	for _u in $LIGHTTPD_USERS; do
		echo "$_u" >>"$_dir/users"
	done
	cat >"$_dir/lighttpd.conf" <<EOF
server.modules = ( "mod_access", "mod_alias", "mod_auth", "mod_authn_file",
                   "mod_setenv", "mod_cgi", "mod_accesslog" )
server.document-root = "$_root"
server.bind = "127.0.0.1"
server.port = $_port
server.errorlog = "$_dir/error.log"
# out/ is replaced by a directory swap: lighttpd's stat/fd cache could serve
# the old page for up to a second after a change (docs/DEPLOY.md)
server.stat-cache-engine = "disable"
accesslog.filename = "$_dir/access.log"
index-file.names = ( "index.html" )
mimetype.assign = (
	".html" => "text/html; charset=utf-8",
	".css" => "text/css; charset=utf-8",
	".js" => "text/javascript; charset=utf-8",
	".json" => "application/json",
	".jsonl" => "application/x-ndjson",
	".txt" => "text/plain; charset=utf-8",
	".png" => "image/png",
	".xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
alias.url = (
	"/cgi-bin/nightly.cgi" => "$_cgi",
	"/open-cgi/nightly.cgi" => "$_cgi",
)
\$HTTP["url"] =~ "^/(cgi-bin|open-cgi)/" {
	cgi.assign = ( "" => "" )
}
setenv.add-environment = (
$_env)
\$HTTP["url"] =~ "\.html\$" {
	setenv.add-response-header = ( "Cache-Control" => "no-cache" )
}
auth.backend = "plain"
auth.backend.plain.userfile = "$_dir/users"
\$HTTP["url"] !~ "^/open-cgi/" {
	auth.require = ( "/" => ( "method" => "basic", "realm" => "backtest-nightly",
	                          "require" => "valid-user" ) )
}
EOF
}

lighttpd_start() {
	_dir=$1 _root=$2 _cgi=$3
	shift 3
	for _try in 1 2 3; do
		LIGHTTPD_PORT=$(lighttpd_free_port)
		# the caller may need the port first (an allowed origin in its config)
		if command -v lighttpd_port_hook >/dev/null 2>&1; then
			lighttpd_port_hook "$LIGHTTPD_PORT"
		fi
		lighttpd_config "$_dir" "$_root" "$_cgi" "$LIGHTTPD_PORT" "$@"
		if ! "$LIGHTTPD" -tt -f "$_dir/lighttpd.conf" >"$_dir/lighttpd.out" 2>&1; then
			cat "$_dir/lighttpd.out" >&2
			return 1
		fi
		"$LIGHTTPD" -D -f "$_dir/lighttpd.conf" >>"$_dir/lighttpd.out" 2>&1 &
		LIGHTTPD_PID=$!
		_i=0
		while [ $_i -lt 100 ]; do
			if ! kill -0 "$LIGHTTPD_PID" 2>/dev/null; then
				break   # exited: most likely the port was taken meanwhile
			fi
			if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$LIGHTTPD_PORT/"; then
				return 0
			fi
			sleep 0.1
			_i=$((_i + 1))
		done
		lighttpd_stop
	done
	echo "lighttpd did not start:" >&2
	cat "$_dir/lighttpd.out" "$_dir/error.log" >&2 2>/dev/null
	return 1
}

lighttpd_stop() {
	if [ -n "$LIGHTTPD_PID" ]; then
		kill "$LIGHTTPD_PID" 2>/dev/null
		wait "$LIGHTTPD_PID" 2>/dev/null
		LIGHTTPD_PID=
	fi
}
