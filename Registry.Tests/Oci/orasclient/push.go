package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	digest "github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// push writes a SIF as apptainer 1.5 does: the empty config {} (no data field), the SIF as the one layer with its file
// name as title, then the manifest by tag.
func (r *remote) push(ctx context.Context, path, repo, tag string) error {
	s, err := r.open(ctx, repo, "pull", "push")
	if err != nil {
		return err
	}
	config := []byte("{}")
	configDesc := ocispec.Descriptor{MediaType: "application/vnd.sylabs.sif.config.v1+json", Digest: digest.FromBytes(config), Size: int64(len(config))}
	if err := s.blob(configDesc, func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(config)), nil }); err != nil {
		return err
	}
	layer, err := describe(path)
	if err != nil {
		return err
	}
	if err := s.blob(layer, func() (io.ReadCloser, error) { return os.Open(path) }); err != nil {
		return err
	}
	manifest, err := json.Marshal(ocispec.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageManifest,
		Config: configDesc, Layers: []ocispec.Descriptor{layer}})
	if err != nil {
		return err
	}
	resp, err := s.do(http.MethodPut, s.base+"/manifests/"+tag, bytes.NewReader(manifest), int64(len(manifest)),
		http.Header{"Content-Type": {ocispec.MediaTypeImageManifest}}, http.StatusOK, http.StatusCreated, http.StatusAccepted)
	if err != nil {
		return err
	}
	resp.Body.Close()
	fmt.Printf("manifest=%s\nlayer=%s\nsize=%d\n", digest.FromBytes(manifest), layer.Digest, layer.Size)
	return nil
}

// describe hashes the SIF: the layer's digest is the file's sha256, as the Library API names it.
func describe(path string) (ocispec.Descriptor, error) {
	f, err := os.Open(path)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	defer f.Close()
	digester := digest.Canonical.Digester()
	n, err := io.Copy(digester.Hash(), f)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	return ocispec.Descriptor{MediaType: sifLayerTypes[0], Digest: digester.Digest(), Size: n,
		Annotations: map[string]string{ocispec.AnnotationTitle: filepath.Base(path)}}, nil
}

// blob: HEAD (200: already there), POST for a session, one PATCH with the whole blob, PUT ?digest=.
func (s *session) blob(desc ocispec.Descriptor, open func() (io.ReadCloser, error)) error {
	head, err := s.do(http.MethodHead, s.base+"/blobs/"+desc.Digest.String(), nil, 0, nil, http.StatusOK, http.StatusNotFound)
	if err != nil {
		return err
	}
	head.Body.Close()
	if head.StatusCode == http.StatusOK {
		return nil
	}
	start, err := s.do(http.MethodPost, s.base+"/blobs/uploads/", nil, 0, nil, http.StatusAccepted)
	if err != nil {
		return err
	}
	start.Body.Close()
	location, err := s.locate(start.Header.Get("Location"))
	if err != nil {
		return err
	}
	body, err := open()
	if err != nil {
		return err
	}
	patch, err := s.do(http.MethodPatch, location, body, desc.Size, http.Header{"Content-Type": {"application/octet-stream"}},
		http.StatusAccepted, http.StatusNoContent, http.StatusCreated)
	if err != nil {
		return err
	}
	patch.Body.Close()
	if location, err = s.locate(patch.Header.Get("Location")); err != nil {
		return err
	}
	separator := "?"
	if strings.Contains(location, "?") {
		separator = "&"
	}
	put, err := s.do(http.MethodPut, location+separator+"digest="+desc.Digest.String(), nil, 0, nil, http.StatusCreated)
	if err != nil {
		return err
	}
	put.Body.Close()
	return nil
}
