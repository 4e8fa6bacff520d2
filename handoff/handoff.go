// Package handoff lets a popvault that finds its archive held by the
// window hand its command to the window, which runs it on the archive it
// holds and streams back the output and exit status: a scheduled `fetch
// --quiet`, `list` or `status` then ends as it would alone, instead of
// with "archive: in use by another popvault".
//
// Why a socket, and not the window holding the archive only while it
// writes: bbolt locks the whole file for as long as it is open (a reader
// too, with a shared lock that a writer's excludes), and the window reads
// it all the time (the list, the reader, the full-text index), so it
// would have to close and reopen the archive and its index around every
// fetch, and a command-line fetch could still run at the same time as
// the window's own, two fetches of one account at once. Handing the
// command over keeps one process, one writer, and lets the window see
// and show the mail a scheduled fetch brings.
//
// The window listens on a Unix socket beside the archive (ARCHIVE.sock;
// Windows 10 and later have Unix sockets too), in the archive's folder,
// which only its user can enter, made readable by its user only; it
// exists only while the window holds the archive, so a socket left by a
// window that crashed is removed by the next one.
//
// The conversation: the client sends a Request as one JSON line; the
// server answers with frames, each a kind byte ('1' standard output,
// '2' standard error, 'x' the exit status), a 4-byte big-endian length
// and that many bytes; the exit status frame is the last.
package handoff

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// ErrNoWindow: no popvault listens for the archive's commands.
var ErrNoWindow = errors.New("handoff: no popvault window holds this archive")

// Request is a command handed over.
type Request struct {
	Args []string `json:"args"` // the command line, after the program's name
	Dir  string   `json:"dir"`  // the folder relative paths in Args are in
}

// Handler runs a request, writing its output to stdout and stderr, and
// returns its exit status. ctx ends when the client goes away or the
// server closes.
type Handler func(ctx context.Context, req Request, stdout, stderr io.Writer) int

// maxSocketPath is what every system's sockaddr_un holds (108 bytes on
// Linux and Windows, 104 on macOS and the BSDs), with its final NUL.
const maxSocketPath = 103

// SocketPath is where the window listens for the archive at archivePath:
// beside it, or where that path is too long for a socket, in
// $XDG_RUNTIME_DIR (or the temporary folder), named after the archive's
// absolute path.
func SocketPath(archivePath string) string {
	if abs, err := filepath.Abs(archivePath); err == nil {
		archivePath = abs
	}
	p := archivePath + ".sock"
	if len(p) <= maxSocketPath {
		return p
	}
	sum := sha256.Sum256([]byte(archivePath))
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "popvault-"+strconv.Itoa(os.Getuid())+"-"+hex.EncodeToString(sum[:8])+".sock")
}

// Server answers the requests handed to one archive.
type Server struct {
	ln     net.Listener
	path   string
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Listen starts answering the requests for the archive at archivePath
// with h, each on a goroutine of its own. Call it only while holding the
// archive: a socket already there is taken to be left by a popvault that
// ended without removing it, and is replaced.
func Listen(archivePath string, h Handler) (*Server, error) {
	path := SocketPath(archivePath)
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("handoff: %w", err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("handoff: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("handoff: %w", err)
	}
	s := &Server{ln: ln, path: path}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // closed
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(conn, h)
			}()
		}
	}()
	return s, nil
}

// Close stops listening, ends the requests under way (their context is
// cancelled) and waits for them.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.cancel()
	s.wg.Wait()
	os.Remove(s.path)
	return err
}

func (s *Server) serve(conn net.Conn, h Handler) {
	defer conn.Close()
	var req Request
	if err := json.NewDecoder(io.LimitReader(conn, 1<<20)).Decode(&req); err != nil {
		return
	}
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	// The client going away (a cron job killed) ends the command: a read
	// returns then, as the client sends nothing more.
	go func() {
		io.Copy(io.Discard, conn)
		cancel()
	}()
	w := &frames{w: conn}
	code := h(ctx, req, w.stream('1'), w.stream('2'))
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(int32(code)))
	w.write('x', b[:])
}

// frames writes one frame at a time to a connection.
type frames struct {
	mu sync.Mutex
	w  io.Writer
}

func (f *frames) write(kind byte, p []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var head [5]byte
	head[0] = kind
	binary.BigEndian.PutUint32(head[1:], uint32(len(p)))
	if _, err := f.w.Write(append(head[:], p...)); err != nil {
		return err
	}
	return nil
}

func (f *frames) stream(kind byte) io.Writer { return streamWriter{f, kind} }

type streamWriter struct {
	f    *frames
	kind byte
}

func (s streamWriter) Write(p []byte) (int, error) {
	if err := s.f.write(s.kind, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Listening reports whether a window listens for the commands of the
// archive at archivePath: for a command it will not take, which says so
// rather than only that the archive is in use. (The window reads no
// request from a connection that closes at once, and runs nothing.)
func Listening(ctx context.Context, archivePath string) bool {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", SocketPath(archivePath))
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// Forward hands req to the window holding the archive at archivePath,
// copies what the command writes to stdout and stderr, and returns its
// exit status; ErrNoWindow when no window listens. ctx ending closes the
// connection, which ends the command in the window.
func Forward(ctx context.Context, archivePath string, req Request, stdout, stderr io.Writer) (int, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", SocketPath(archivePath))
	if err != nil {
		return 0, fmt.Errorf("%w (%v)", ErrNoWindow, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	b, err := json.Marshal(req)
	if err != nil {
		return 0, fmt.Errorf("handoff: %w", err)
	}
	if _, err := conn.Write(append(b, '\n')); err != nil {
		return 0, fmt.Errorf("handoff: %w", err)
	}
	r := bufio.NewReader(conn)
	for {
		var head [5]byte
		if _, err := io.ReadFull(r, head[:]); err != nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			return 0, fmt.Errorf("handoff: the window ended before the command did: %w", err)
		}
		n := binary.BigEndian.Uint32(head[1:])
		if n > 1<<24 {
			return 0, fmt.Errorf("handoff: a frame of %d bytes", n)
		}
		p := make([]byte, n)
		if _, err := io.ReadFull(r, p); err != nil {
			return 0, fmt.Errorf("handoff: the window ended before the command did: %w", err)
		}
		switch head[0] {
		case '1':
			stdout.Write(p)
		case '2':
			stderr.Write(p)
		case 'x':
			if n != 4 {
				return 0, fmt.Errorf("handoff: an exit status of %d bytes", n)
			}
			return int(int32(binary.BigEndian.Uint32(p))), nil
		default:
			return 0, fmt.Errorf("handoff: an unknown frame %q", head[0])
		}
	}
}
