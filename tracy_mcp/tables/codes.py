"""Readable names of the integer codes the engine stores (message severity, plot type, lock event type, ...).

The values are those of Tracy's file format and protocol; the names are ours (lower case, as category labels).
"""

from __future__ import annotations

MESSAGE_SEVERITY = {0: "trace", 1: "debug", 2: "info", 3: "warning", 4: "error", 5: "fatal"}
MESSAGE_SOURCE = {0: "user", 1: "tracy"}
PLOT_TYPE = {0: "user", 1: "memory", 2: "systime", 3: "power"}
PLOT_FORMAT = {0: "number", 1: "memory", 2: "percentage", 3: "watt"}
LOCK_TYPE = {0: "lockable", 1: "shared_lockable"}
LOCK_EVENT_TYPE = {0: "wait", 1: "obtain", 2: "release", 3: "wait_shared", 4: "obtain_shared", 5: "release_shared"}
GPU_CONTEXT_TYPE = dict(
    enumerate(
        (
            "invalid",
            "opengl",
            "vulkan",
            "opencl",
            "direct3d12",
            "direct3d11",
            "metal",
            "custom",
            "cuda",
            "rocprof",
            "webgpu",
        )
    )
)
# Why a thread was switched out: Windows' KWAIT_REASON values, plus Tracy's own markers.
_KWAIT_REASONS = (
    "executive free_page page_in pool_allocation delay_execution suspended user_request wr_executive wr_free_page "
    "wr_page_in wr_pool_allocation wr_delay_execution wr_suspended wr_user_request wr_event_pair wr_queue "
    "wr_lpc_receive wr_lpc_reply wr_virtual_memory wr_page_out wr_rendezvous wr_keyed_event wr_terminated "
    "wr_process_in_swap wr_cpu_rate_control wr_callout_stack wr_kernel wr_resource wr_push_lock wr_mutex "
    "wr_quantum_end wr_dispatch_int wr_preempted wr_yield_execution wr_fast_mutex wr_guarded_mutex wr_rundown "
    "wr_alert_by_thread_id wr_deferred_preempt wr_physical_fault wr_io_ring wr_mdl_cache wr_rcu"
).split()
CONTEXT_SWITCH_REASON = {
    **dict(enumerate(_KWAIT_REASONS)),
    -2: "wakeup",
    -1: "unknown",
    99: "fiber",
    100: "none",
}
# The thread's state when switched out: Windows thread states 0-7, Linux task states 101-110.
CONTEXT_SWITCH_STATE = {
    **dict(
        enumerate(
            ("initialized", "ready", "running", "standby", "terminated", "waiting", "transition", "deferred_ready")
        )
    ),
    -1: "unknown",
    100: "none",
    101: "disk_sleep",
    102: "idle",
    103: "running",
    104: "sleeping",
    105: "stopped",
    106: "tracing_stop",
    107: "paging",
    108: "dead",
    109: "zombie",
    110: "parked",
}
