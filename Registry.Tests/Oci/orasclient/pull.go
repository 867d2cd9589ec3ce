package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// The layer types apptainer accepts on pull (the second is the typo of its early releases).
var sifLayerTypes = []string{"application/vnd.sylabs.sif.layer.v1.sif", "appliciation/vnd.sylabs.sif.layer.tar"}

// What go-containerregistry's remote.Image accepts, indexes included.
var manifestAccept = strings.Join([]string{ocispec.MediaTypeImageManifest, ocispec.MediaTypeImageIndex,
	"application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json"}, ",")

type platform = ocispec.Platform

// resolved is one remote image: its manifest (the platform's child when the tag is an index) and digest.
type resolved struct {
	manifest ocispec.Manifest
	digest   digest.Digest
	platform string
}

func (r *remote) pull(ctx context.Context, repo, tag string, want platform, out string) error {
	// RefHash, RefSize, DownloadImage, RefDigest: each resolves the reference anew, as apptainer does.
	var image *resolved
	for i := 0; i < 4; i++ {
		s, err := r.open(ctx, repo, "pull")
		if err != nil {
			return err
		}
		if image, err = s.resolve(tag, want); err != nil {
			return err
		}
		if i == 2 {
			if err := s.download(image, out); err != nil {
				return err
			}
		}
	}
	fmt.Printf("manifest=%s\nplatform=%s\nlayer=%s\nsize=%d\n", image.digest, image.platform, image.manifest.Layers[0].Digest, image.manifest.Layers[0].Size)
	return nil
}

func (s *session) resolve(reference string, want platform) (*resolved, error) {
	body, media, dgst, err := s.manifest(reference)
	if err != nil {
		return nil, err
	}
	picked := ""
	if media == ocispec.MediaTypeImageIndex || media == "application/vnd.docker.distribution.manifest.list.v2+json" {
		var index ocispec.Index
		if err := json.Unmarshal(body, &index); err != nil {
			return nil, fmt.Errorf("index %s: %w", reference, err)
		}
		child, ok := pick(index, want)
		if !ok {
			return nil, fmt.Errorf("no child manifest for %s/%s in index %s", want.OS, want.Architecture, dgst)
		}
		if body, _, dgst, err = s.manifest(child.Digest.String()); err != nil {
			return nil, err
		}
		if dgst != child.Digest {
			return nil, fmt.Errorf("child manifest %s answered as %s", child.Digest, dgst)
		}
		picked = child.Platform.OS + "/" + child.Platform.Architecture
		if child.Platform.Variant != "" {
			picked += "/" + child.Platform.Variant
		}
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", reference, err)
	}
	// What apptainer checks: one layer, of a SIF type.
	if len(m.Layers) != 1 {
		return nil, fmt.Errorf("ORAS SIF image should have a single layer, found %d", len(m.Layers))
	}
	if !contains(sifLayerTypes, m.Layers[0].MediaType) {
		return nil, fmt.Errorf("invalid layer mediatype: %s", m.Layers[0].MediaType)
	}
	return &resolved{manifest: m, digest: dgst, platform: picked}, nil
}

// manifest GETs a manifest; the digest is the server's Docker-Content-Digest, checked against the bytes.
func (s *session) manifest(reference string) ([]byte, string, digest.Digest, error) {
	resp, err := s.do(http.MethodGet, s.base+"/manifests/"+reference, nil, 0, http.Header{"Accept": {manifestAccept}}, http.StatusOK)
	if err != nil {
		return nil, "", "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, "", "", err
	}
	actual := digest.FromBytes(body)
	if header := resp.Header.Get("Docker-Content-Digest"); header != actual.String() {
		return nil, "", "", fmt.Errorf("manifest %s: Docker-Content-Digest %q, bytes hash to %s", reference, header, actual)
	}
	return body, strings.TrimSpace(strings.Split(resp.Header.Get("Content-Type"), ";")[0]), actual, nil
}

// pick is the child for the platform: OS and architecture equal, and the variant when one is wanted.
func pick(index ocispec.Index, want platform) (ocispec.Descriptor, bool) {
	for _, child := range index.Manifests {
		p := child.Platform
		if p != nil && p.OS == want.OS && p.Architecture == want.Architecture && (want.Variant == "" || want.Variant == p.Variant) {
			return child, true
		}
	}
	return ocispec.Descriptor{}, false
}

// download GETs the SIF layer once into out and checks its size and sha256, as apptainer does after the copy.
func (s *session) download(image *resolved, out string) error {
	layer := image.manifest.Layers[0]
	resp, err := s.do(http.MethodGet, s.base+"/blobs/"+layer.Digest.String(), nil, 0, nil, http.StatusOK)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	hash := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, hash), resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if n != layer.Size {
		return fmt.Errorf("image file size(%d) and expected size(%d) does not match", n, layer.Size)
	}
	if got := digest.NewDigest(digest.SHA256, hash); got != layer.Digest {
		return fmt.Errorf("image file hash(%s) and expected hash(%s) does not match", got, layer.Digest)
	}
	return nil
}

func contains(list []string, value string) bool {
	for _, v := range list {
		if v == value {
			return true
		}
	}
	return false
}
