// Command libclient drives the real Apptainer library client
// (github.com/apptainer/container-library-client 1.2.2) against a registry,
// one operation per run. Used by Registry.Tests end-to-end tests.
//
//	libclient -url URL [-token T] [-arch A] [-desc D] COMMAND ARGS...
//
//	version
//	push FILE e/c/x TAGS          TAGS comma-separated; arch from -arch or the SIF header
//	get e/c/x:tag                 prints id= hash= size= uploaded= arch=
//	pull e/c/x:tag OUT            DownloadImage
//	pullconc e/c/x:tag OUT        ConcurrentDownloadImage, 1 MiB parts, concurrency 3
//	pullverify e/c/x:tag OUT      GetImage + ConcurrentDownloadImage (CLI settings) + hash check
//	search VALUE                  one line per image: library://e/c/x:tags (-signed: signed ones, then fingerprints)
//	delete e/c/x:tag ARCH
//	decode KIND PATH              GET PATH (with token) and decode the body with the
//	                              client's own response type KIND: entity, collection,
//	                              container, image, tags, archtags, search
//
//	keypush FILE / keysearch TERM / keypull HEX: the key client, see keys.go
//
//	-legacy  the transport answers /version with 404 (an old server): the client then
//	         uploads with legacy POST /v1/imagefile and tags through /v1/tags
//
// The pull commands also print "ranged=R": how many requests carried a Range header
// (proves the concurrent ranged download after a 303).
//
// Flags may appear anywhere. Exit codes: 0 ok, 1 client error (printed to
// stderr), 2 usage, 3 not found. Client log lines go to stderr prefixed "# ".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apptainer/container-library-client/client"
)

var sifArch = map[string]string{
	"01": "386", "02": "amd64", "03": "arm", "04": "arm64", "05": "ppc64", "06": "ppc64le",
	"07": "mips", "08": "mipsle", "09": "mips64", "10": "mips64le", "11": "s390x", "12": "riscv64",
}

// stderrLogger prints the client's log lines; with LIBCLIENT_ELAPSED=1 each starts with the seconds since the
// process started ("# 1.234 ..."), which the benchmark uses to split a push into the client's hashing and the rest.
type stderrLogger struct{}

var started = time.Now()

func prefix() string {
	if os.Getenv("LIBCLIENT_ELAPSED") == "1" {
		return fmt.Sprintf("# %.3f", time.Since(started).Seconds())
	}
	return "#"
}

func (stderrLogger) Log(v ...interface{}) {
	fmt.Fprintln(os.Stderr, append([]interface{}{prefix()}, v...)...)
}
func (stderrLogger) Logf(f string, v ...interface{}) {
	fmt.Fprintf(os.Stderr, prefix()+" "+f+"\n", v...)
}

var (
	fs      = flag.NewFlagSet("libclient", flag.ContinueOnError)
	baseURL = fs.String("url", "", "library base URL")
	token   = fs.String("token", "", "bearer token")
	arch    = fs.String("arch", "", "architecture (default: amd64; push: SIF header)")
	desc    = fs.String("desc", "", "image description (push)")
	legacy  = fs.Bool("legacy", false, "pretend the server has no /version (legacy upload, v1 tags)")
	signed  = fs.Bool("signed", false, "search: only signed images (apptainer search --signed), each line ending in its fingerprints")
)

// countingTransport counts what the client sends; with -legacy it answers /version with 404 itself.
// The client and its redirect/presigned requests all go through http.DefaultClient.
type countingTransport struct{ ranged int64 }

var transport = &countingTransport{}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("Range") != "" {
		atomic.AddInt64(&t.ranged, 1)
	}
	if *legacy && strings.HasSuffix(r.URL.Path, "/version") {
		fmt.Fprintln(os.Stderr, "# transport: answered", r.URL.Path, "with 404 (-legacy)")
		return &http.Response{StatusCode: 404, Status: "404 Not Found", Body: io.NopCloser(strings.NewReader("")),
			Header: http.Header{}, Request: r, ProtoMajor: 1, ProtoMinor: 1}, nil
	}
	return http.DefaultTransport.RoundTrip(r)
}

func main() {
	http.DefaultClient.Transport = transport
	os.Exit(run())
}

func run() int {
	args, err := parseInterspersed(os.Args[1:])
	if err != nil || len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: libclient -url URL [-token T] [-arch A] [-desc D] COMMAND ARGS...")
		return 2
	}
	if code, handled := runKey(args); handled {
		return code
	}
	c, err := client.NewClient(&client.Config{
		BaseURL: *baseURL, AuthToken: *token, UserAgent: "libclient-e2e/1.0 (apptainer library-client 1.2.2)",
		Logger: stderrLogger{},
	})
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	cmd, args := args[0], args[1:]
	need := map[string]int{"version": 0, "push": 3, "get": 1, "pull": 2, "pullconc": 2, "pullverify": 2, "search": 1, "delete": 2, "decode": 2}
	n, ok := need[cmd]
	if !ok || len(args) != n {
		fmt.Fprintf(os.Stderr, "unknown command or wrong number of arguments: %s %q\n", cmd, args)
		return 2
	}
	a := *arch
	if a == "" && cmd != "push" && cmd != "search" {
		a = "amd64"
	}

	switch cmd {
	case "version":
		vi, err := c.GetVersion(ctx)
		if err != nil {
			return fail(err)
		}
		fmt.Printf("version=%s\napiVersion=%s\n", vi.Version, vi.APIVersion)

	case "push":
		f, err := os.Open(args[0])
		if err != nil {
			return fail(err)
		}
		defer f.Close()
		if a == "" {
			a = headerArch(f)
		}
		res, err := c.UploadImage(ctx, f, args[1], a, strings.Split(args[2], ","), *desc, nil)
		if err != nil {
			return fail(err)
		}
		fmt.Printf("arch=%s\n", a)
		if res == nil {
			fmt.Println("complete=none")
		} else {
			fmt.Printf("containerUrl=%s\nquota=%d/%d\n", res.ContainerURL, res.Quota.QuotaUsageBytes, res.Quota.QuotaTotalBytes)
		}

	case "get":
		img, err := c.GetImage(ctx, a, args[0])
		if err != nil {
			return fail(err)
		}
		imgArch := ""
		if img.Architecture != nil {
			imgArch = *img.Architecture
		}
		fmt.Printf("id=%s\nhash=%s\nsize=%d\nuploaded=%t\narch=%s\ntags=%s\ndescription=%s\n",
			img.ID, img.Hash, img.Size, img.Uploaded, imgArch, strings.Join(img.Tags, ","), img.Description)

	case "pull", "pullconc", "pullverify":
		path, tag := splitRef(args[0])
		want := ""
		if cmd == "pullverify" {
			img, err := c.GetImage(ctx, a, args[0])
			if err != nil {
				return fail(err)
			}
			want = img.Hash
		}
		f, err := os.Create(args[1])
		if err != nil {
			return fail(err)
		}
		switch cmd {
		case "pull":
			err = c.DownloadImage(ctx, f, a, path, tag, nil)
		case "pullconc":
			err = c.ConcurrentDownloadImage(ctx, f, a, path, tag,
				&client.Downloader{Concurrency: 3, PartSize: 1 << 20, BufferSize: 32 << 10}, nil)
		default: // the settings `apptainer pull` uses
			err = c.ConcurrentDownloadImage(ctx, f, a, path, tag,
				&client.Downloader{Concurrency: 3, PartSize: 5 << 20, BufferSize: 32 << 10}, nil)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fail(err)
		}
		got, err := client.ImageHash(args[1])
		if err != nil {
			return fail(err)
		}
		st, _ := os.Stat(args[1])
		fmt.Printf("hash=%s\nsize=%d\nranged=%d\n", got, st.Size(), atomic.LoadInt64(&transport.ranged))
		if cmd == "pullverify" && got != want {
			return fail(fmt.Errorf("hash mismatch: downloaded %s, library says %s", got, want))
		}

	case "search":
		q := map[string]string{"value": args[0]}
		if a != "" {
			q["arch"] = a
		}
		if *signed {
			q["signed"] = "true"
		}
		res, err := c.Search(ctx, q)
		if err != nil {
			return fail(err)
		}
		for _, img := range res.Images {
			t := strings.Join(img.Tags, ",")
			if t == "" {
				t = img.Hash
			}
			if *signed {
				t += " " + strings.Join(img.Fingerprints, ",")
			}
			fmt.Printf("library://%s/%s/%s:%s\n", img.EntityName, img.CollectionName, img.ContainerName, t)
		}

	case "decode":
		return decode(args[0], args[1])

	case "delete":
		if err := c.DeleteImage(ctx, args[0], args[1]); err != nil {
			return fail(err)
		}
		fmt.Println("deleted")
	}
	return 0
}

// decode fetches path and decodes the body strictly into the client's own response type for kind,
// so zone-less times, numeric ids or wrongly typed members fail here as they would in the client.
func decode(kind, path string) int {
	targets := map[string]interface{}{
		"entity": &client.EntityResponse{}, "collection": &client.CollectionResponse{},
		"container": &client.ContainerResponse{}, "image": &client.ImageResponse{},
		"tags": &client.TagsResponse{}, "archtags": &client.ArchTagsResponse{}, "search": &client.SearchResponse{},
	}
	target, ok := targets[kind]
	if !ok {
		fmt.Fprintln(os.Stderr, "unknown kind", kind)
		return 2
	}
	req, err := http.NewRequest(http.MethodGet, strings.TrimSuffix(*baseURL, "/")+path, nil)
	if err != nil {
		return fail(err)
	}
	if *token != "" {
		req.Header.Set("Authorization", "BEARER "+*token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fail(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fail(fmt.Errorf("GET %s: HTTP status %d", path, res.StatusCode))
	}
	if err := json.NewDecoder(res.Body).Decode(target); err != nil {
		return fail(fmt.Errorf("decoding %s as %s: %v", path, kind, err))
	}
	out, _ := json.Marshal(target)
	fmt.Printf("decoded=%s\n", out)
	return 0
}

// parseInterspersed parses flags found anywhere in args and returns the positionals.
func parseInterspersed(args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// splitRef splits "e/c/x:tag" into path and tag (default "latest") like the CLI does.
func splitRef(ref string) (string, string) {
	if i := strings.Index(ref, ":"); i >= 0 {
		return ref[:i], ref[i+1:]
	}
	return ref, "latest"
}

// headerArch reads the primary architecture from the SIF global header (bytes 45-47).
func headerArch(f *os.File) string {
	b := make([]byte, 2)
	if _, err := f.ReadAt(b, 45); err == nil {
		if a, ok := sifArch[string(b)]; ok {
			return a
		}
	}
	return "amd64"
}

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "error:", err)
	if errors.Is(err, client.ErrNotFound) || strings.Contains(err.Error(), "requested image was not found") {
		return 3
	}
	return 1
}
