// Command orasclient is Registry's test client for /v2/: it does what apptainer's internal/pkg/client/oras does
// (over go-containerregistry) for `apptainer pull oras://` and `apptainer push oras://`, on the auth client of oras-go
// (Debian golang-oras-oras-go-dev, oras.land/oras-go/pkg/registry/remote/auth) and the OCI image-spec types.
//
// Pull: four manifest resolutions (apptainer's RefHash, RefSize, DownloadImage and RefDigest each build a new remote
// image: a ping of /v2/, the Bearer handshake, GET of the manifest, and the child manifest for the platform when the
// reference is an index), then one GET of the SIF layer, checked for size and sha256. Push: per blob a HEAD, POST, one
// PATCH with the whole blob and PUT ?digest=, then the manifest PUT by tag. Every request stays on the registry's own
// host:port (the realm too), as apptainer refuses other loopback hosts.
//
// Usage: orasclient -registry HOST:PORT [-tls] [-user U -password P] [-arch A] [-variant V] pull REPO:TAG OUT
//
//	orasclient -registry HOST:PORT -user U -password P push FILE.sif REPO:TAG
//
// Prints key=value lines (what the tests assert); errors go to stderr with exit code 1.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	os.Exit(run())
}

func run() int {
	registry := flag.String("registry", "", "host:port of the registry")
	secure := flag.Bool("tls", false, "https (trusting the system's CAs, or SSL_CERT_FILE) instead of plain HTTP")
	user := flag.String("user", "", "user name (none: anonymous)")
	password := flag.String("password", "", "password: an API token or the CLI secret")
	arch := flag.String("arch", "amd64", "architecture to pick from an index")
	variant := flag.String("variant", "", "architecture variant to require from an index (none: any)")
	flag.Parse()
	args := flag.Args()
	if *registry == "" || len(args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: orasclient -registry HOST:PORT [-user U -password P] [-arch A] pull REPO:TAG OUT | push FILE REPO:TAG")
		return 2
	}
	scheme := "http"
	if *secure {
		scheme = "https"
	}
	r := &remote{scheme: scheme, host: *registry, user: *user, password: *password, counts: map[string]int{}}
	ctx := context.Background()
	var err error
	switch args[0] {
	case "pull":
		repo, tag := split(args[1])
		err = r.pull(ctx, repo, tag, platform{OS: "linux", Architecture: *arch, Variant: *variant}, args[2])
	case "push":
		repo, tag := split(args[2])
		err = r.push(ctx, args[1], repo, tag)
	default:
		err = fmt.Errorf("unknown command %q", args[0])
	}
	for _, key := range []string{"pings", "tokens", "unauthorized", "manifestGets", "blobGets", "blobPatches", "manifestPuts"} {
		fmt.Printf("%s=%d\n", key, r.counts[key])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		return 1
	}
	return 0
}

// split parses REPO:TAG (the repository holds no ':' here: no port, the registry is a flag).
func split(ref string) (string, string) {
	i := strings.LastIndex(ref, ":")
	if i < 0 {
		return ref, "latest"
	}
	return ref[:i], ref[i+1:]
}
