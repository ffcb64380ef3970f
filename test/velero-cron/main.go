// velero-cron parses schedules the way Velero v1.18 does (pkg/controller/schedule_controller.go:
// cron.ParseStandard of github.com/robfig/cron/v3, the version Velero's go.mod pins, a panic recovered as a
// refusal) and walks each accepted one in UTC (Velero's image has no TZ: time.Local is UTC). For every line of
// stdin it prints one JSON line: {"expr", "ok": false, "error"} or {"expr", "ok": true, "runs": the first 8
// run times after 2026-01-01T00:00:00Z (Unix seconds), "gap": the longest time in seconds from a run before
// 2027-01-02T00:00:00Z (366 days on) to the run after it, 0 when there is no such pair}. The walk calls
// Schedule.Next from run to run, as Velero's controller does, with no shortcut: it is the reference that
// test/render/velero-cron.test.ts compares labctl's own parser and gap with. Used by tests only, never shipped.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"time"

	cron "github.com/robfig/cron/v3"
)

const firstRuns = 8

// Bounded: a five-field schedule runs at most every minute, 527,040 times in 366 days.
const maxSteps = 600_000

type result struct {
	Expr  string  `json:"expr"`
	OK    bool    `json:"ok"`
	Error string  `json:"error,omitempty"`
	Runs  []int64 `json:"runs"`
	Gap   int64   `json:"gap"`
}

// parse is Velero's parseCronSchedule without the logging.
func parse(spec string) (s cron.Schedule, err error) {
	if len(spec) == 0 {
		return nil, fmt.Errorf("Schedule must be a non-empty valid Cron expression")
	}
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("invalid schedule: %v", r)
		}
	}()
	return cron.ParseStandard(spec)
}

func main() {
	time.Local = time.UTC
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 0, 366)
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		r := result{Expr: in.Text()}
		s, err := parse(r.Expr)
		if err != nil {
			r.Error = err.Error()
		} else {
			r.OK = true
			r.Runs = []int64{}
			for t, i := start, 0; i < firstRuns; i++ {
				if t = s.Next(t); t.IsZero() {
					break
				}
				r.Runs = append(r.Runs, t.Unix())
			}
			t := s.Next(start)
			if every, ok := s.(cron.ConstantDelaySchedule); ok {
				// @every: robfig's own delay is the gap (walking the 31 million runs of @every 1s tells no more).
				if t.Before(end) {
					r.Gap = int64(every.Delay / time.Second)
				}
				t = time.Time{}
			}
			for i := 0; !t.IsZero() && t.Before(end); i++ {
				if i == maxSteps {
					fmt.Fprintf(os.Stderr, "velero-cron: %q: more than %d runs in the year\n", r.Expr, maxSteps)
					os.Exit(2)
				}
				n := s.Next(t)
				if n.IsZero() {
					break
				}
				if g := int64(n.Sub(t) / time.Second); g > r.Gap {
					r.Gap = g
				}
				t = n
			}
		}
		if err := out.Encode(r); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
