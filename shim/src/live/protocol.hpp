// Facts of Tracy's live network protocol, for the two versions we speak: 82 (Tracy 0.14.x clients) and 76
// (Tracy 0.13.x clients). Event kinds are our own union of both versions; each version maps its wire codes onto
// them with the exact on-wire size, so every event can be stepped over even when we do not use it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tshim::live {

constexpr uint32_t kProtocol014 = 82;  // Tracy 0.14.x
constexpr uint32_t kProtocol013 = 76;  // Tracy 0.13.x

constexpr char kShibboleth[8] = {'T', 'r', 'a', 'c', 'y', 'P', 'r', 'f'};

// The client's one-byte answer to the handshake.
enum class Handshake : uint8_t { Pending = 0, Welcome = 1, ProtocolMismatch = 2, NotAvailable = 3, Dropped = 4 };

// Welcome message (packed): 8 x 8-byte fields, flags, cpu arch, 12-byte manufacturer, cpu id, 64-byte program
// name, 1024-byte host info.
constexpr size_t kProgramNameSize = 64;
constexpr size_t kHostInfoSize = 1024;
constexpr size_t kWelcomeSize = 8 * 8 + 1 + 1 + 12 + 4 + kProgramNameSize + kHostInfoSize;
constexpr size_t kOnDemandSize = 16;  // frames already counted + the client's current time

enum WelcomeFlags : uint8_t {
    kFlagOnDemand = 1 << 0,
    kFlagIgnoreMemFaults = 1 << 1,
    kFlagCodeTransfer = 1 << 2,
    kFlagCombineSamples = 1 << 3,
    kFlagIdentifySamples = 1 << 4,
};

// Requests the server sends to the client: 13 bytes each (type, 64-bit argument, 32-bit extra).
enum class Query : uint8_t {
    Terminate = 0, String, ThreadString, SourceLocation, PlotName, FrameName, Parameter, FiberName, ExternalName,
    Disconnect, CallstackFrame, Symbol, SymbolCode, SourceCode, DataTransfer, DataTransferPart
};
constexpr size_t kQueryPacketSize = 13;
// Requests before Disconnect are answered first by upstream's server; we keep the same two-queue order.
constexpr bool query_is_priority(Query q) { return uint8_t(q) < uint8_t(Query::Disconnect); }

// The compressed stream: each frame is a 32-bit compressed size followed by one LZ4 block of at most this many
// decompressed bytes; blocks reference earlier output (streaming mode), ring buffer of three frames.
constexpr size_t kTargetFrameSize = 256 * 1024;
constexpr size_t kMaxCompressedFrame = kTargetFrameSize + kTargetFrameSize / 255 + 16;

// 0.14 shortens time deltas: a 64-bit delta >= 0 is sent minus kOffset32, a 32-bit one minus kOffset16, and
// long single strings carry their length minus kOffset8.
constexpr int64_t kOffset8 = int64_t(1) << 8;
constexpr int64_t kOffset16 = int64_t(1) << 16;
constexpr int64_t kOffset32 = (int64_t(1) << 16) + (int64_t(1) << 32);

// Every event kind either version can send.
enum class Ev : uint8_t {
    ZoneText, ZoneName, Message, MessageColor, MessageCallstack, MessageColorCallstack, MessageAppInfo,
    ZoneBeginAllocSrcLoc, ZoneBeginAllocSrcLocCallstack, CallstackSerial, Callstack, CallstackAlloc,
    CallstackSample, CallstackSample32, CallstackSample16,
    CallstackSampleContextSwitch, CallstackSampleContextSwitch32, CallstackSampleContextSwitch16,
    FrameImage, ZoneBegin, ZoneBegin32, ZoneBegin16, ZoneBeginCallstack, ZoneBeginCallstack32, ZoneBeginCallstack16,
    ZoneEnd, ZoneEnd32, ZoneEnd16,
    LockWait, LockObtain, LockRelease, LockSharedWait, LockSharedObtain, LockSharedRelease, LockName,
    MemAlloc, MemAllocNamed, MemFree, MemFreeNamed, MemAllocCallstack, MemAllocCallstackNamed, MemFreeCallstack,
    MemFreeCallstackNamed, MemDiscard, MemDiscardCallstack,
    GpuZoneBegin, GpuZoneBeginCallstack, GpuZoneBeginAllocSrcLoc, GpuZoneBeginAllocSrcLocCallstack, GpuZoneEnd,
    GpuZoneBeginSerial, GpuZoneBeginCallstackSerial, GpuZoneBeginAllocSrcLocSerial,
    GpuZoneBeginAllocSrcLocCallstackSerial, GpuZoneEndSerial,
    PlotDataInt, PlotDataFloat, PlotDataDouble, ContextSwitch, ThreadWakeup, GpuTime, GpuContextName,
    GpuAnnotationName, CallstackFrameSize, SymbolInformation, ExternalNameMetadata, SymbolCodeMetadata,
    SourceCodeMetadata, FiberEnter, FiberLeave, SectionEnter, SectionLeave, SectionSetup,
    Terminate, KeepAlive, ThreadContext, GpuCalibration, GpuTimeSync, Crash, CrashReport, ZoneValidation, ZoneColor,
    ZoneValue, FrameMarkMsg, FrameMarkMsgStart, FrameMarkMsgEnd, FrameVsync, SourceLocation, LockAnnounce,
    LockTerminate, LockMark, MessageLiteral, MessageLiteralColor, MessageLiteralCallstack,
    MessageLiteralColorCallstack, GpuNewContext, CallstackFrame, SysTimeReport, SysPowerReport, TidToPid,
    HwSampleCpuCycle, HwSampleInstructionRetired, HwSampleCacheReference, HwSampleCacheMiss, HwSampleBranchRetired,
    HwSampleBranchMiss, PlotConfig, ParamSetup, AckServerQueryNoop, AckSourceCodeNotAvailable,
    AckSymbolCodeNotAvailable, CpuTopology, SingleStringData, SecondStringData, SingleStringData8,
    SecondStringData8, MemNamePayload, ThreadGroupHint, GpuZoneAnnotation,
    // String transfers: 64-bit key, then a 16-bit length (32-bit for FrameImageData, SymbolCode, SourceCode) and
    // that many bytes.
    StringData, ThreadName, PlotName, SourceLocationPayload, CallstackPayload, CallstackAllocPayload, FrameName,
    FrameImageData, ExternalName, ExternalThreadName, SymbolCode, SourceCode, FiberName,
    Count
};

struct WireKind {
    Ev kind;
    uint8_t size;  // fixed part on the wire, type byte included
};

// The wire table of one protocol version: index = the type byte on the wire.
struct WireTable {
    uint32_t protocol;
    const WireKind* kinds;
    size_t count;
    bool short_times;      // 0.14: ZoneBegin/End and samples come in 64/32/16-bit delta forms with offsets
    bool message_meta;     // 0.14: messages carry a source/severity byte; literal pointers carry it in the low byte
    bool sample_tid_first; // 0.14: CallstackSample is (thread, time); 0.13 is (time, thread)
};

// The table for `protocol`, or nullptr when we do not speak it.
const WireTable* wire_table(uint32_t protocol);

// Human-readable name of an event kind (for errors).
const char* ev_name(Ev kind);

}  // namespace tshim::live
