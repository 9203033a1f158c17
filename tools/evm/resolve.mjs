// Resolves did:ethr DIDs with the reference resolver (ethr-did-resolver, pinned in package.json) and
// prints one JSON object mapping each DID (or DID URL, e.g. with ?versionId=N) to its DID resolution
// result. registry/tests/reference_resolver.rs compares these with Siegel's documents.
//
// Usage: node resolve.mjs RPC_URL REGISTRY_ADDRESS CHAIN_ID DID [DID ...]
// The JSON is the last line of standard output (ethers may log connection retries before it).
import { Resolver } from "did-resolver";
import { JsonRpcProvider } from "ethers";
import { getResolver } from "ethr-did-resolver";

const [rpcUrl, registry, chainId, ...dids] = process.argv.slice(2);
if (!rpcUrl || !registry || !chainId || dids.length === 0) {
  console.error("usage: node resolve.mjs RPC_URL REGISTRY_ADDRESS CHAIN_ID DID [DID ...]");
  process.exit(2);
}

// A fixed network: no chain id detection, which retries forever on an unreachable node.
const provider = new JsonRpcProvider(rpcUrl, Number(chainId), { staticNetwork: true });
// Registered under the chain id, so `did:ethr:0x<chain id in hex>:…` DIDs find it.
const resolver = new Resolver(
  getResolver({ networks: [{ chainId: Number(chainId), provider, registry }] }),
  { cache: false },
);

const results = {};
for (const did of dids) {
  results[did] = await resolver.resolve(did);
}
provider.destroy();
process.stdout.write("\n" + JSON.stringify(results) + "\n");
