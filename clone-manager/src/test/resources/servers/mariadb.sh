#!/bin/sh
# MariaDB with its data in the container's writable layer (/var/lib/mysql), running as mysql,
# with a user app/app reachable over TCP. Extra arguments go to mariadbd.
set -e
mkdir -p /var/lib/mysql && chown mysql:mysql /var/lib/mysql
mariadb-install-db --no-defaults --user=mysql --datadir=/var/lib/mysql --skip-test-db >/tmp/install-db.log 2>&1
printf '%s\n' "CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY 'app';" "GRANT ALL ON *.* TO 'app'@'%';" \
  "CREATE DATABASE IF NOT EXISTS test;" >/tmp/init.sql
exec mariadbd --no-defaults --user=mysql --datadir=/var/lib/mysql --socket=/tmp/mysqld.sock \
  --bind-address=0.0.0.0 --port=3306 --init-file=/tmp/init.sql --skip-name-resolve "$@"
