package schedule

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"howett.net/plist"
)

// agent is a LaunchAgent's property list (launchd.plist(5)).
type agent struct {
	Label                string            `plist:"Label"`
	ProgramArguments     []string          `plist:"ProgramArguments"`
	StartInterval        int               `plist:"StartInterval"`
	RunAtLoad            bool              `plist:"RunAtLoad"`
	ProcessType          string            `plist:"ProcessType,omitempty"`
	EnvironmentVariables map[string]string `plist:"EnvironmentVariables,omitempty"`
}

// agentLabel is the job's launchd label, in reverse-DNS form as launchd
// expects: io.popvault.popvault-fetch[-HASH].
func agentLabel(name string) string { return "io.popvault." + name }

func (s *Scheduler) agentDirectory() (string, error) {
	if s.agentDir != "" {
		return s.agentDir, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("schedule: where launchd keeps your agents: %w", err)
	}
	return filepath.Join(home, "Library", "LaunchAgents"), nil
}

// agentPlist is the property list for sp: every sp.Every, not when it is
// loaded (at login or install: the window was just open), at background
// priority (ProcessType Background: launchd throttles its CPU and I/O).
func agentPlist(sp Spec) ([]byte, error) {
	a := agent{
		Label:            agentLabel(Name(sp.Archive)),
		ProgramArguments: sp.command(),
		StartInterval:    int(sp.Every / time.Second),
		ProcessType:      "Background",
	}
	if len(sp.Env) > 0 {
		a.EnvironmentVariables = map[string]string{}
		for _, e := range sp.Env {
			k, v, _ := strings.Cut(e, "=")
			a.EnvironmentVariables[k] = v
		}
	}
	b, err := plist.MarshalIndent(a, plist.XMLFormat, "\t")
	if err != nil {
		return nil, fmt.Errorf("schedule: the LaunchAgent's property list: %w", err)
	}
	return b, nil
}

// launchctl runs launchctl with args, in the user's GUI domain.
func (s *Scheduler) launchctl(ctx context.Context, args ...string) ([]byte, error) {
	return s.output(exec.CommandContext(ctx, "launchctl", args...), nil)
}

func guiDomain() string { return "gui/" + strconv.Itoa(os.Getuid()) }

func (s *Scheduler) installAgent(ctx context.Context, sp Spec) (Job, error) {
	dir, err := s.agentDirectory()
	if err != nil {
		return Job{}, err
	}
	name := Name(sp.Archive)
	b, err := agentPlist(sp)
	if err != nil {
		return Job{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Job{}, fmt.Errorf("schedule: %w", err)
	}
	path := filepath.Join(dir, agentLabel(name)+".plist")
	// An agent loaded before keeps its old definition until unloaded;
	// unloading one that is not loaded fails, which is fine here.
	s.launchctl(ctx, "bootout", guiDomain()+"/"+agentLabel(name))
	if err := writeFile(path, b); err != nil {
		return Job{}, err
	}
	if _, err := s.launchctl(ctx, "bootstrap", guiDomain(), path); err != nil {
		os.Remove(path)
		return Job{}, fmt.Errorf("schedule: launchd did not take popvault's agent, so nothing was installed: %w", err)
	}
	return s.agentStatus(ctx, name)
}

func (s *Scheduler) removeAgent(ctx context.Context, name string) (bool, error) {
	dir, err := s.agentDirectory()
	if err != nil {
		return false, err
	}
	path := filepath.Join(dir, agentLabel(name)+".plist")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	s.launchctl(ctx, "bootout", guiDomain()+"/"+agentLabel(name)) // not loaded: nothing to stop
	if err := os.Remove(path); err != nil {
		return true, fmt.Errorf("schedule: %w", err)
	}
	return true, nil
}

func (s *Scheduler) agentStatus(ctx context.Context, name string) (Job, error) {
	dir, err := s.agentDirectory()
	if err != nil {
		return Job{}, err
	}
	path := filepath.Join(dir, agentLabel(name)+".plist")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Job{}, ErrNotInstalled
	}
	if err != nil {
		return Job{}, fmt.Errorf("schedule: %w", err)
	}
	var a agent
	if _, err := plist.Unmarshal(b, &a); err != nil {
		return Job{}, fmt.Errorf("schedule: %s: %w", path, err)
	}
	job := Job{
		Name:      name,
		Mechanism: Launchd,
		Every:     time.Duration(a.StartInterval) * time.Second,
		Schedule:  "StartInterval=" + strconv.Itoa(a.StartInterval),
		Command:   a.ProgramArguments,
		Where:     []string{path},
	}
	for k, v := range a.EnvironmentVariables {
		job.Env = append(job.Env, k+"="+v)
	}
	// launchctl print says "last exit code = N" once the job has run,
	// and no time: popvault's own records give that.
	if out, err := s.launchctl(ctx, "print", guiDomain()+"/"+agentLabel(name)); err == nil {
		for _, line := range strings.Split(string(out), "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "last exit code = "); ok {
				if code, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
					job.LastRun = &Run{OK: code == 0, Result: "exit code " + v, Status: code}
				}
			}
		}
	}
	return job, nil
}
