// yaml11 reads YAML the way Helm, ArgoCD and the Kubernetes API machinery do: documents split at "---"
// lines like apimachinery's YAMLReader (which ArgoCD uses on helm template output), each converted with
// sigs.k8s.io/yaml (go-yaml v2, YAML 1.1
// resolution: yes/no/on/off are booleans, 0777 is octal, 1_000 is an int). For every file named on
// the command line it prints one JSON line: {"file": ..., "docs": [<document as JSON>, ...]} or
// {"file": ..., "error": ...}. Used by test/render/yaml11.test.ts; never shipped.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"sigs.k8s.io/yaml"
)

// apimachinery's YAMLReader (k8s.io/apimachinery/pkg/util/yaml): a line starting with "---", followed by
// nothing or a comment, ends a document; the lines before it, newlines kept, are the document.
func split(text string) []string {
	var docs []string
	var cur strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		if strings.HasPrefix(line, "---") {
			rest := strings.TrimSpace(line[3:])
			if rest == "" || strings.HasPrefix(rest, "#") {
				docs = append(docs, cur.String())
				cur.Reset()
				continue
			}
		}
		cur.WriteString(line)
	}
	return append(docs, cur.String())
}

type result struct {
	File  string            `json:"file"`
	Docs  []json.RawMessage `json:"docs,omitempty"`
	Error string            `json:"error,omitempty"`
}

func main() {
	out := json.NewEncoder(os.Stdout)
	status := 0
	for _, f := range os.Args[1:] {
		r := result{File: f}
		b, err := os.ReadFile(f)
		if err != nil {
			r.Error = err.Error()
		} else {
			for _, doc := range split(string(b)) {
				if strings.TrimSpace(doc) == "" {
					continue
				}
				j, err := yaml.YAMLToJSON([]byte(doc))
				if err != nil {
					r.Error = err.Error()
					break
				}
				if string(j) == "null" {
					continue // a document of comments only
				}
				r.Docs = append(r.Docs, json.RawMessage(j))
			}
		}
		if r.Error != "" {
			status = 1
		}
		if err := out.Encode(r); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	os.Exit(status)
}
