package main

// Legacy signatures, as Singularity wrote them before 3.6 (and as the sif library still verifies them with
// OptVerifyLegacy): a PGP clear-signed "SIFHASH:\n<hex digest>\n" in a signature object whose descriptor carries the hash
// type (SHA-384) and the signer's fingerprint, linked either to one object (the digest of its bytes; the signature object
// in the object's group) or to an object group (the digest of its objects' bytes, concatenated in descriptor order; the
// signature object in no group). No header or descriptor is covered. The sif library's test corpus holds such files
// (test/images/*-legacy*.sif); see pkg/integrity/digest.go newLegacyDigest and verify.go legacy*Verifier.

import (
	"bytes"
	"crypto"
	"fmt"
	"io"
	"os"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/sylabs/sif/v2/pkg/integrity"
	"github.com/sylabs/sif/v2/pkg/sif"
)

// signLegacy signs every object group ("group"), the primary system partition ("object"), or every object in a group
// each on its own ("all").
func signLegacy(e *openpgp.Entity, path, mode string) error {
	f, err := sif.LoadContainerFromPath(path)
	if err != nil {
		return err
	}
	defer f.UnloadContainer()
	var objects []sif.Descriptor
	f.WithDescriptors(func(od sif.Descriptor) bool {
		if od.DataType() != sif.DataSignature && od.GroupID() != 0 {
			objects = append(objects, od)
		}
		return false
	})
	type target struct {
		ods  []sif.Descriptor
		opts []sif.DescriptorInputOpt
	}
	var targets []target
	switch mode {
	case "group":
		seen := map[uint32]bool{}
		for _, od := range objects {
			if seen[od.GroupID()] {
				continue
			}
			seen[od.GroupID()] = true
			var group []sif.Descriptor
			for _, o := range objects {
				if o.GroupID() == od.GroupID() {
					group = append(group, o)
				}
			}
			targets = append(targets, target{group, []sif.DescriptorInputOpt{sif.OptLinkedGroupID(od.GroupID()), sif.OptNoGroup()}})
		}
	case "object", "all":
		for _, od := range objects {
			if _, pt, _, err := od.PartitionMetadata(); mode == "object" && (err != nil || pt != sif.PartPrimSys) {
				continue
			}
			targets = append(targets, target{[]sif.Descriptor{od}, []sif.DescriptorInputOpt{sif.OptLinkedID(od.ID()), sif.OptGroupID(od.GroupID())}})
		}
	default:
		return fmt.Errorf("unknown legacy mode %q", mode)
	}
	for _, t := range targets {
		h := crypto.SHA384.New()
		for _, od := range t.ods {
			if _, err := io.Copy(h, od.GetReader()); err != nil {
				return err
			}
		}
		var signed bytes.Buffer
		w, err := clearsign.Encode(&signed, e.PrivateKey, &packet.Config{DefaultHash: crypto.SHA256})
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "SIFHASH:\n%x\n", h.Sum(nil)); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
		opts := append(t.opts, sif.OptSignatureMetadata(crypto.SHA384, e.PrimaryKey.Fingerprint))
		di, err := sif.NewDescriptorInput(sif.DataSignature, &signed, opts...)
		if err != nil {
			return err
		}
		if err := f.AddObject(di); err != nil {
			return err
		}
	}
	return nil
}

// verifyLegacy verifies as apptainer verify --legacy-insecure does: the object groups ("group"), the primary system
// partition ("object", apptainer's default when neither --group-id nor --sif-id is given), or with --all ("all").
func verifyLegacy(keys openpgp.EntityList, path, mode string) error {
	opts := []integrity.VerifierOpt{integrity.OptVerifyLegacy()}
	switch mode {
	case "all":
		opts = []integrity.VerifierOpt{integrity.OptVerifyLegacyAll()}
	case "object":
		f, err := sif.LoadContainerFromPath(path, sif.OptLoadWithFlag(os.O_RDONLY))
		if err != nil {
			fmt.Println("error", err)
			return nil
		}
		od, err := f.GetDescriptor(sif.WithPartitionType(sif.PartPrimSys))
		f.UnloadContainer()
		if err != nil {
			fmt.Println("error", err)
			return nil
		}
		opts = append(opts, integrity.OptVerifyObject(od.ID()))
	}
	return verify(keys, path, opts...)
}
