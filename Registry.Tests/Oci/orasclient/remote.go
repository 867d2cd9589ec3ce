package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"oras.land/oras-go/pkg/registry/remote/auth"
)

// remote is one registry; counts tallies the requests by kind for the tests.
type remote struct {
	scheme, host, user, password string
	counts                       map[string]int
}

// sameOrigin refuses any request off the registry's host:port (the token realm included), like apptainer's transport,
// and counts what is answered: a 401 (the auth client's first try before its token) as "unauthorized", else by kind.
type sameOrigin struct {
	host   string
	counts map[string]int
}

func (t *sameOrigin) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != t.host {
		return nil, fmt.Errorf("refusing %s %s: not on the registry's own host %s", req.Method, req.URL, t.host)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	path := req.URL.Path
	switch {
	case resp.StatusCode == http.StatusUnauthorized && path != "/v2/":
		t.counts["unauthorized"]++
	case path == "/v2/":
		t.counts["pings"]++
	case path == "/v2/token":
		t.counts["tokens"]++
	case req.Method == http.MethodGet && strings.Contains(path, "/manifests/"):
		t.counts["manifestGets"]++
	case req.Method == http.MethodGet && strings.Contains(path, "/blobs/sha256:"):
		t.counts["blobGets"]++
	case req.Method == http.MethodPatch:
		t.counts["blobPatches"]++
	case req.Method == http.MethodPut && strings.Contains(path, "/manifests/"):
		t.counts["manifestPuts"]++
	}
	return resp, nil
}

// session is what go-containerregistry builds per remote image: a ping that learns the challenge, then an auth client
// (oras-go's) that answers it with a token for the repository's scope, fetched with Basic credentials from the realm.
type session struct {
	base   string
	client *auth.Client
	ctx    context.Context
}

func (r *remote) open(ctx context.Context, repo string, actions ...string) (*session, error) {
	transport := &sameOrigin{host: r.host, counts: r.counts}
	plain := &http.Client{Transport: transport}
	base := r.scheme + "://" + r.host
	ping, err := plain.Get(base + "/v2/")
	if err != nil {
		return nil, err
	}
	ping.Body.Close()
	if ping.StatusCode == http.StatusUnauthorized {
		challenge := ping.Header.Get("WWW-Authenticate")
		if !strings.HasPrefix(challenge, "Bearer ") {
			return nil, fmt.Errorf("GET /v2/: expected a Bearer challenge, got %q", challenge)
		}
		if realm := param(challenge, "realm"); realm == "" {
			return nil, fmt.Errorf("GET /v2/: the challenge names no realm: %q", challenge)
		} else if u, err := url.Parse(realm); err != nil || u.Host != r.host {
			return nil, fmt.Errorf("GET /v2/: realm %q is not on the registry's own host %s", realm, r.host)
		}
	} else if ping.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /v2/: %s", ping.Status)
	}
	client := &auth.Client{
		Client: plain,
		Header: http.Header{"User-Agent": {"registry-orasclient"}},
		Cache:  auth.NewCache(),
		Credential: func(context.Context, string) (auth.Credential, error) {
			if r.user == "" {
				return auth.EmptyCredential, nil
			}
			return auth.Credential{Username: r.user, Password: r.password}, nil
		},
	}
	return &session{base: base + "/v2/" + repo, client: client, ctx: auth.WithScopes(ctx, auth.ScopeRepository(repo, actions...))}, nil
}

// do sends a request through the auth client; any answer other than one of the wanted statuses is an error with its body.
func (s *session) do(method, target string, body io.Reader, length int64, header http.Header, want ...int) (*http.Response, error) {
	req, err := http.NewRequestWithContext(s.ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.ContentLength = length
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	for _, status := range want {
		if resp.StatusCode == status {
			return resp, nil
		}
	}
	text, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	return nil, fmt.Errorf("%s %s: %s %s", method, req.URL.Path, resp.Status, strings.TrimSpace(string(text)))
}

// locate makes a Location absolute against the registry (they may be relative).
func (s *session) locate(location string) (string, error) {
	base, _ := url.Parse(s.base)
	u, err := base.Parse(location)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// param reads key="value" from a challenge.
func param(challenge, key string) string {
	for _, part := range strings.Split(strings.TrimPrefix(challenge, "Bearer "), ",") {
		if k, v, ok := strings.Cut(strings.TrimSpace(part), "="); ok && k == key {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}
