#pragma once
// `barge server`: the composition root of the control plane. argv[0] is
// "server"; the rest are its flags (--listen, --data-dir, --region,
// --account-id, --credentials, --agent-token, --lease-seconds). Returns the
// process exit code.
namespace barge::apps {
int RunServer(int argc, char** argv);
}
