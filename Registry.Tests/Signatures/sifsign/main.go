// sifsign signs and verifies SIF files exactly as `apptainer sign` / `apptainer verify` do, with the sif library's
// pkg/integrity (Debian golang-github-sylabs-sif-dev), so the tests check the registry against the reference.
//
//	sifsign sign <file.sif> <secret-key.asc>          adds a signature over every object group (in place)
//	sifsign verify <file.sif> <public-key.asc>...    prints one line per signature: "<sig id> <fingerprint> ok|<error>",
//	                                             or "error <message>" when verification cannot start
//	sifsign sign-legacy-group|sign-legacy-object|sign-legacy-all <file.sif> <secret-key.asc>
//	                                             signs as Singularity before 3.6 did (see legacy.go)
//	sifsign verify-legacy-group|verify-legacy-object|verify-legacy-all <file.sif> <public-key.asc>...
//	                                             verifies legacy signatures as apptainer verify --legacy-insecure [--all]
package main

import (
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/sylabs/sif/v2/pkg/integrity"
	"github.com/sylabs/sif/v2/pkg/sif"
)

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: sifsign sign|verify <file.sif> <key.asc>...")
		os.Exit(2)
	}
	var keys openpgp.EntityList
	for _, path := range os.Args[3:] {
		read, err := readKeys(path)
		if err != nil {
			fail(err)
		}
		keys = append(keys, read...)
	}
	var err error
	switch os.Args[1] {
	case "sign":
		err = sign(keys[0], os.Args[2])
	case "verify":
		err = verify(keys, os.Args[2])
	case "sign-legacy-group", "sign-legacy-object", "sign-legacy-all":
		err = signLegacy(keys[0], os.Args[2], strings.TrimPrefix(os.Args[1], "sign-legacy-"))
	case "verify-legacy-group", "verify-legacy-object", "verify-legacy-all":
		err = verifyLegacy(keys, os.Args[2], strings.TrimPrefix(os.Args[1], "verify-legacy-"))
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func readKeys(path string) (openpgp.EntityList, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return openpgp.ReadArmoredKeyRing(f)
}

func sign(e *openpgp.Entity, path string) error {
	f, err := sif.LoadContainerFromPath(path)
	if err != nil {
		return err
	}
	defer f.UnloadContainer()
	s, err := integrity.NewSigner(f, integrity.OptSignWithEntity(e))
	if err != nil {
		return err
	}
	return s.Sign()
}

func verify(keys openpgp.EntityList, path string, extra ...integrity.VerifierOpt) error {
	f, err := sif.LoadContainerFromPath(path, sif.OptLoadWithFlag(os.O_RDONLY))
	if err != nil {
		fmt.Println("error", err)
		return nil
	}
	defer f.UnloadContainer()
	v, err := integrity.NewVerifier(f, append(extra, integrity.OptVerifyWithKeyRing(keys),
		integrity.OptVerifyCallback(func(r integrity.VerifyResult) bool {
			_, fp, _ := r.Signature().SignatureMetadata()
			verdict := "ok"
			if r.Error() != nil {
				verdict = r.Error().Error()
			}
			fmt.Println(r.Signature().ID(), hex.EncodeToString(fp), verdict)
			return true
		}))...)
	if err != nil {
		fmt.Println("error", err)
		return nil
	}
	if err := v.Verify(); err != nil {
		fmt.Println("error", err)
	}
	return nil
}
