// Validates chart values (a JSON file) against charts/vm-lab/values.schema.json with
// github.com/xeipuuv/gojsonschema, the library Helm 3.17 (bundled by ArgoCD 3.4) uses in
// pkg/chartutil/jsonschema.go. Prints "valid", or one "invalid: <field>: <description>" line per error
// and exits 1; exits 2 when the schema itself does not load (e.g. a pattern RE2 cannot compile).
package main

import (
	"fmt"
	"os"

	"github.com/xeipuuv/gojsonschema"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: helm3-schema SCHEMA.json VALUES.json")
		os.Exit(2)
	}
	schema, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	values, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	res, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(schema), gojsonschema.NewBytesLoader(values))
	if err != nil {
		fmt.Fprintln(os.Stderr, "schema:", err)
		os.Exit(2)
	}
	if res.Valid() {
		fmt.Println("valid")
		return
	}
	for _, e := range res.Errors() {
		fmt.Printf("invalid: %s: %s\n", e.Field(), e.Description())
	}
	os.Exit(1)
}
