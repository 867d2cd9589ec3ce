package main

// The key commands drive the real Apptainer key client
// (github.com/apptainer/container-key-client 0.7.2) against the registry's HKP keyserver:
//
//	keypush FILE      PKSAdd of the ASCII-armored public key in FILE, as `key push`; prints the server's answer
//	keysearch TERM    PKSLookup op=index options=mr, as `key search`; prints the index
//	keypages TERM N   the same in pages of N, following the client's next-page token; prints each page after a "page K" line
//	keypull HEX       GetKey of the fingerprint or key id bytes, as `key pull`; prints the armor
//
// The key client sends a bearer token over plain http only to a host named localhost: pass -url http://localhost:PORT.

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	keyclient "github.com/apptainer/container-key-client/client"
)

// runKey runs a key command; handled is false for any other command.
func runKey(args []string) (code int, handled bool) {
	if n, ok := map[string]int{"keypush": 1, "keysearch": 1, "keypages": 2, "keypull": 1}[args[0]]; !ok {
		return 0, false
	} else if len(args) != n+1 {
		fmt.Fprintf(os.Stderr, "wrong number of arguments: %q\n", args)
		return 2, true
	}
	opts := []keyclient.Option{keyclient.OptBaseURL(*baseURL), keyclient.OptUserAgent("libclient-e2e/1.0 (apptainer key-client 0.7.2)")}
	if *token != "" {
		opts = append(opts, keyclient.OptBearerToken(*token))
	}
	c, err := keyclient.NewClient(opts...)
	if err != nil {
		return keyFail(err), true
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	switch args[0] {
	case "keypush":
		text, err := os.ReadFile(args[1])
		if err != nil {
			return keyFail(err), true
		}
		if err := c.PKSAdd(ctx, string(text)); err != nil {
			return keyFail(err), true
		}
		fmt.Println("pushed")
	case "keysearch":
		index, err := c.PKSLookup(ctx, &keyclient.PageDetails{Size: 256}, args[1], keyclient.OperationIndex, true, false, []string{keyclient.OptionMachineReadable})
		if err != nil {
			return keyFail(err), true
		}
		fmt.Print(index)
	case "keypages":
		size, err := strconv.Atoi(args[2])
		if err != nil {
			return keyFail(err), true
		}
		// PKSLookup stores the server's X-HKP-Next-Page-Token in pd.Token and sends it back as x-pagetoken.
		pd := &keyclient.PageDetails{Size: size}
		for page := 1; ; page++ {
			index, err := c.PKSLookup(ctx, pd, args[1], keyclient.OperationIndex, true, false, []string{keyclient.OptionMachineReadable})
			if err != nil {
				return keyFail(err), true
			}
			fmt.Printf("page %d\n%s", page, index)
			if pd.Token == "" {
				break
			}
		}
	case "keypull":
		search, err := hex.DecodeString(args[1])
		if err != nil {
			return keyFail(err), true
		}
		armor, err := c.GetKey(ctx, search)
		if err != nil {
			return keyFail(err), true
		}
		fmt.Print(armor)
	}
	return 0, true
}

// keyFail prints the error; exit code 3 for 404 (no matching key), 4 for 401, 5 for 403, 1 otherwise.
func keyFail(err error) int {
	fmt.Fprintln(os.Stderr, "error:", err)
	var httpErr *keyclient.HTTPError
	if errors.As(err, &httpErr) {
		switch httpErr.Code() {
		case 404:
			return 3
		case 401:
			return 4
		case 403:
			return 5
		}
	}
	return 1
}
