#!/usr/bin/env bash
# Soundness against reality, part 3: interpreters (python3, perl, ruby) doing
# files, sockets, threads, subprocesses and signals.  Interpreter
# extension modules are shared objects loaded with dlopen by computed
# paths; the analysis loads every module of python3's sys.path folders and
# every XS module of perl's.  perl's syscall builtin takes the numbers its
# library's code gives (analysis/langsys.h): a real set, not "everything".
. "$(dirname "$0")/lib.sh"
. "$CONFINE_SRC/tests/fixtures/strace-lib.sh"
st_init
[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3"
[ -x /usr/bin/perl ] || skip "no /usr/bin/perl"

W=$T/w
mkdir -p "$W"
cd "$W"
cat >"$W/net.py" <<'PY'
import os, socket, threading, subprocess, signal, json, hashlib, tempfile, select, time
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen(4)
port = srv.getsockname()[1]
def serve():
    c, _ = srv.accept()
    data = c.recv(64)
    c.sendall(data.upper()); c.close()
t = threading.Thread(target=serve); t.start()
c = socket.create_connection(("127.0.0.1", port), timeout=5)
c.sendall(b"ping"); r = c.recv(64); c.close(); t.join()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
u.sendto(b"x", u.getsockname()); select.select([u], [], [], 1); u.recvfrom(8); u.close()
a, b = socket.socketpair(); a.send(b"y"); b.recv(1)
signal.signal(signal.SIGUSR1, lambda *x: None); os.kill(os.getpid(), signal.SIGUSR1)
out = subprocess.run(["/bin/echo", "child"], capture_output=True).stdout
with tempfile.TemporaryDirectory() as d:
    p = os.path.join(d, "f"); open(p, "w").write(json.dumps({"r": r.decode()}))
    os.rename(p, p + "2"); os.stat(p + "2"); os.listdir(d)
h = hashlib.sha256(b"abc").hexdigest()
time.sleep(0.01)
print(r, out.strip(), h[:8], os.cpu_count() > 0)
PY
st_run python3-net /usr/bin/python3 "$W/net.py"
st_run python3-c /usr/bin/python3 -c 'import sys, os, re; print(len(os.environ) > 0, re.sub("a", "b", sys.version[:3]))'
st_run python3-mp /usr/bin/python3 -c '
import concurrent.futures as cf
with cf.ThreadPoolExecutor(4) as ex: print(sum(ex.map(lambda x: x * x, range(100))))'
# Extension modules of lib-dynload, imported by name (no program holds
# their paths): mmap's flush is msync, which nothing else in python3 makes;
# sqlite3 locks and syncs its database.
cat >"$W/ext.py" <<'PY'
import mmap, sqlite3, os, tempfile
with tempfile.TemporaryDirectory() as d:
    with open(os.path.join(d, "m"), "w+b") as f:
        f.write(b"x" * 4096); f.flush()
        m = mmap.mmap(f.fileno(), 4096); m[0] = 0x79; m.flush(); m.close()
    db = sqlite3.connect(os.path.join(d, "db"))
    db.execute("create table t (x)"); db.execute("insert into t values (1)"); db.commit()
    print(db.execute("select count(*) from t").fetchone()[0]); db.close()
PY
st_run python3-ext /usr/bin/python3 "$W/ext.py"
st_run perl-e perl -e 'use strict; my %h = map { $_ => 1 } 1..100; opendir(my $d, "/etc") or die; my @f = readdir($d); closedir $d; open(my $fh, "<", "/etc/passwd") or die; my @l = <$fh>; print scalar(keys %h), " ", scalar(@l) > 0, "\n"; my $pid = fork(); if ($pid == 0) { exit 0 } waitpid($pid, 0); print `echo sub`; local $SIG{ALRM} = sub {}; alarm 0;'
st_run perl-socket perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0, Proto => "tcp") or die; my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $s->sockport, Proto => "tcp") or die; my $a = $s->accept; print $c "hi\n"; my $l = <$a>; print $l; select(undef, undef, undef, 0.01);'
# XS modules (POSIX, Time::HiRes, Fcntl, Socket, File::Temp, IO::Select,
# Sys::Hostname, which tries syscall(&SYS_gethostname) first) and
# threads if this perl has them.
st_run perl-xs perl -e 'use POSIX qw(mkfifo setsid dup2 uname strftime); use Time::HiRes qw(usleep clock_gettime CLOCK_MONOTONIC nanosleep); use Fcntl qw(:flock SEEK_SET); use File::Temp qw(tempdir); use IO::Select; use Socket; use Sys::Hostname; my $d = tempdir(CLEANUP => 1); mkfifo("$d/f", 0600) or die; open(my $fh, ">", "$d/x") or die; flock($fh, LOCK_EX) or die; print $fh "x"; truncate($fh, 0); close $fh; usleep(1000); nanosleep(1000); my $t = clock_gettime(CLOCK_MONOTONIC); my @u = uname(); print hostname(), " ", strftime("%Y", localtime), "\n"; socketpair(my $a, my $b, AF_UNIX, SOCK_STREAM, PF_UNSPEC) or die; my $s = IO::Select->new($a); syswrite($b, "z"); my @r = $s->can_read(1); symlink("$d/x", "$d/l"); rename("$d/l", "$d/m"); chmod(0644, "$d/x"); utime(undef, undef, "$d/x"); link("$d/x", "$d/h"); my @st = lstat("$d/m"); umask(022); chdir($d); mkdir("$d/dd"); rmdir("$d/dd"); unlink("$d/h");'
# Ruby: sockets, a thread, tempfiles, C extensions (socket, etc, digest,
# zlib, io/console, json), a subprocess, fork and pipes (setup.sh installs it).
if [ -x /usr/bin/ruby ]; then
	cat >"$W/w.rb" <<'RB'
require 'socket'; require 'json'; require 'tempfile'; require 'io/console'; require 'etc'
require 'digest'; require 'zlib'; require 'open3'
s = TCPServer.new('127.0.0.1', 0)
t = Thread.new { c = s.accept; c.puts c.gets; c.close }
c = TCPSocket.new('127.0.0.1', s.addr[1]); c.puts "hi"; puts c.gets; c.close; t.join
Tempfile.create('x') { |f| f.write(JSON.dump({a: 1})); f.flush; File.rename(f.path, f.path + '.2'); File.unlink(f.path + '.2') }
puts Etc.getpwuid(0).name, Digest::SHA256.hexdigest('x')[0, 8], Zlib.crc32('x')
o, _ = Open3.capture2('echo', 'sub'); puts o
r, w = IO.pipe; pid = fork { r.close; w.write 'f'; exit! 0 }; w.close; puts r.read; Process.wait(pid)
Dir.mkdir('dd'); Dir.rmdir('dd'); File.symlink('/etc/passwd', 'l'); File.unlink('l')
sleep 0.01; puts Process.clock_gettime(Process::CLOCK_MONOTONIC) > 0
RB
	st_run ruby /usr/bin/ruby "$W/w.rb"
fi
st_check
# The set is the interpreter's and its modules', with no unresolved site.
jq -e --arg p "$(readlink -f /usr/bin/perl)" '[.programs[] | select(.path == $p) | (.all_syscalls == false and (.unresolved | length) == 0)] | all' \
	"$ST/analysis.all.json" >/dev/null || fail "perl: every syscall, or unresolved sites: $(jq -c '.programs[] | .unresolved' "$ST/analysis.all.json" | head -c 600)"
if [ -x /usr/bin/ruby ]; then
	jq -e --arg p "$(readlink -f /usr/bin/ruby)" '[.programs[] | select(.path == $p)] | length > 0 and all(.all_syscalls == false and (.unresolved | length) == 0)' \
		"$ST/analysis.all.json" >/dev/null || fail "ruby: not analysed, every syscall, or unresolved sites"
fi
pass
