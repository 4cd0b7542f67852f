# lib.sh - a private PostgreSQL for the tests (sourced): Debian's server,
# its own cluster in $PGT (a directory outside the checkout), run as the
# postgres user (PostgreSQL refuses root), on a unix socket in $PGT only
# (listen_addresses empty: no TCP at all), trust authentication.  The
# DSN for clamgate is $PG_DSN.  pg_up starts it (initdb the first time),
# pg_down stops it (fast: sessions are cut, as in a crash of the
# connection), both by the cluster's own pid file.

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

# pg_as CMD... - run a PostgreSQL program as the postgres user
pg_as() { runuser -u postgres -- "$@"; }

# pg_up - start (and the first time create) the cluster; 0 once it answers
pg_up() {
	if [ ! -d "$PGT/data" ]; then
		mkdir -p "$PGT" && chmod 755 "$PGT" && chown postgres "$PGT" || return 1
		pg_as "$PG_BIN/initdb" -D "$PGT/data" -A trust -U postgres \
			> "$PGT/initdb.log" 2>&1 || return 1
	fi
	pg_as "$PG_BIN/pg_ctl" -D "$PGT/data" -l "$PGT/server.log" -w -t 60 \
		-o "-k $PGT -c listen_addresses=''" start > /dev/null 2>&1 || return 1
	pg_as "$PG_BIN/psql" -h "$PGT" -U postgres -d postgres -Atq \
		-c "SELECT 1 FROM pg_database WHERE datname = 'clamgate'" | grep -q 1 ||
		pg_as "$PG_BIN/createdb" -h "$PGT" -U postgres clamgate
}

# pg_down - stop the server now
pg_down() {
	[ -f "$PGT/data/postmaster.pid" ] &&
		pg_as "$PG_BIN/pg_ctl" -D "$PGT/data" -m fast -w -t 60 stop > /dev/null 2>&1
	return 0
}

# pg_sql SQL - one query's rows, unaligned
pg_sql() {
	pg_as "$PG_BIN/psql" -h "$PGT" -U postgres -d clamgate -Atq -c "$1" 2>/dev/null
}

PG_DSN="host=$PGT dbname=clamgate user=postgres"
