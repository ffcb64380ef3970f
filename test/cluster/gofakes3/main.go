// A tiny S3 server for the etcd snapshot tests: gofakes3 (github.com/johannesboyne/gofakes3), an S3
// implementation in Go, NOT AWS S3 or Ceph RGW. Objects are stored as plain files under -dir (so a test
// can read the bytes that reached the "bucket"). gofakes3 does not verify request signatures; this
// wrapper refuses requests whose SigV4 credential names another access key than -access-key, so a wrong
// access key fails as it would on a real server (the secret key and the signature are NOT checked).
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"regexp"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3afero"
	"github.com/spf13/afero"
)

var credential = regexp.MustCompile(`Credential=([^/,\s]+)/`)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	dir := flag.String("dir", "", "folder holding the buckets (one subfolder each)")
	bucket := flag.String("bucket", "", "bucket created at start")
	accessKey := flag.String("access-key", "", "the only access key id accepted (empty: any)")
	flag.Parse()
	if *dir == "" {
		log.Fatal("-dir is required")
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatal(err)
	}
	backend, err := s3afero.MultiBucket(afero.NewBasePathFs(afero.NewOsFs(), *dir))
	if err != nil {
		log.Fatal(err)
	}
	if *bucket != "" {
		if err := backend.CreateBucket(*bucket); err != nil && !gofakes3.IsAlreadyExists(err) {
			log.Fatal(err)
		}
	}
	s3 := gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if *accessKey != "" {
			m := credential.FindStringSubmatch(r.Header.Get("Authorization"))
			if m == nil || m[1] != *accessKey {
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(http.StatusForbidden)
				fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>`)
				return
			}
		}
		s3.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	// The test waits for this line: the port is open from here on.
	fmt.Printf("listening on %s\n", ln.Addr())
	log.Fatal(http.Serve(ln, handler))
}
