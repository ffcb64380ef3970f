// A tiny S3 server for the etcd snapshot tests: gofakes3 (github.com/johannesboyne/gofakes3), an S3
// implementation in Go, NOT AWS S3 or Ceph RGW. Objects are stored in one bolt database file, -db (so a
// test can read the bytes that reached the "bucket"; bolt stores values as they are, uncompressed). The
// file-system backend is not used: its listing of a missing prefix answers "no such bucket", which restic
// takes for an error. gofakes3 does not verify request signatures; this
// wrapper refuses requests whose SigV4 credential names another access key than -access-key, so a wrong
// access key fails as it would on a real server (the secret key and the signature are NOT checked).
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"regexp"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
)

var credential = regexp.MustCompile(`Credential=([^/,\s]+)/`)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	db := flag.String("db", "", "bolt database file holding the buckets")
	bucket := flag.String("bucket", "", "bucket created at start")
	accessKey := flag.String("access-key", "", "the only access key id accepted (empty: any)")
	flag.Parse()
	if *db == "" {
		log.Fatal("-db is required")
	}
	backend, err := s3bolt.NewFile(*db)
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
