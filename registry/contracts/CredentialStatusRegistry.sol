// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

/// The part of ERC-1056 this contract reads: the raw owner entry (not `identityOwner`, which
/// answers the identity itself when the entry is empty) and delegate validity.
interface IEthereumDIDRegistry {
    function owners(address identity) external view returns (address);
    function validDelegate(address identity, bytes32 delegateType, address delegate) external view returns (bool);
}

/// @title Siegel credential status registry
/// @notice Per-issuer status bits for credentials: for each issuer identity and purpose
///         (0 = revocation, 1 = suspension) a list of bits indexed by the credential's status index.
///
///         Revocation is permanent: a revocation bit can be set, never cleared (`RevocationIsPermanent`).
///         Suspension bits can be set and cleared.
///
///         Writers: a bit may be changed only for an issuer whose ERC-1056 owner entry names an owner
///         (`owners(issuer) != 0`), by that owner or by a `sigAuth` delegate the ERC-1056 registry
///         holds valid — directly, or through an EIP-712 signed message relayed by anyone (the
///         signature binds the chain id and this contract). Both paths apply the same rules.
/// @dev Why a named owner is required. ERC-1056 deactivates an identity with
///      `changeOwner(identity, address(0))`, which empties `owners(identity)`; `identityOwner` then
///      answers the identity itself, so asking it would let the identity key write on after
///      deactivation, and `validDelegate` still answers true for unexpired delegates. An identity
///      that never changed its owner has the same empty entry, and `changed(identity)` cannot tell
///      the two apart because attribute and delegate changes set it too. So an empty owner entry is
///      refused whatever its cause (`IssuerHasNoOwner`): a deactivated issuer — its identity key,
///      its former owners and its unexpired delegates alike — and an issuer that has not yet named
///      an owner, which does so once with `changeOwner(identity, identity)` (or another key).
///
///      Limits. This contract reads the ERC-1056 state as it is now, not its history. ERC-1056
///      lets the identity's own key act again after deactivation (`identityOwner` falls back to the
///      identity); if it names an owner again, writes resume here, and delegates whose validity has
///      not run out count again — while did:ethr resolvers keep reporting the DID deactivated.
///      Keeping the identity key safe after deactivation is the issuer's part.
contract CredentialStatusRegistry {
    /// The ERC-1056 registry that says who controls an issuer identity.
    IEthereumDIDRegistry public immutable didRegistry;

    /// ERC-1056 delegate type allowed to change status bits besides the owner.
    bytes32 public constant STATUS_DELEGATE_TYPE = "sigAuth";

    uint8 public constant PURPOSE_REVOCATION = 0;
    uint8 public constant PURPOSE_SUSPENSION = 1;

    bytes32 public constant EIP712_DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 public constant SET_STATUS_TYPEHASH =
        keccak256(
            "SetStatus(address issuer,uint8 purpose,uint256 index,bool value,address signer,uint256 nonce,uint256 deadline)"
        );

    /// issuer => purpose => word index => 256 status bits
    mapping(address => mapping(uint8 => mapping(uint256 => uint256))) private words;

    /// Replay protection for signed updates, per signer.
    mapping(address => uint256) public nonces;

    event StatusChanged(
        address indexed issuer,
        uint8 indexed purpose,
        uint256 indexed index,
        bool value,
        address actor
    );

    /// A revocation bit was to be cleared: revocation is permanent.
    error RevocationIsPermanent(address issuer, uint256 index);
    /// The issuer's ERC-1056 owner entry is empty: deactivated, or no owner named yet.
    error IssuerHasNoOwner(address issuer);
    /// `actor` is neither the issuer's owner nor a valid `sigAuth` delegate of it.
    error NotAuthorized(address issuer, address actor);
    /// A purpose other than revocation (0) or suspension (1).
    error UnknownPurpose(uint8 purpose);
    /// A signed update submitted after its deadline.
    error SignatureExpired(uint256 deadline);
    /// A signed update whose signature is not `signer`'s over the current digest.
    error BadSignature();

    constructor(IEthereumDIDRegistry registry) {
        didRegistry = registry;
    }

    function domainSeparator() public view returns (bytes32) {
        return keccak256(
            abi.encode(
                EIP712_DOMAIN_TYPEHASH,
                keccak256("SiegelCredentialStatus"),
                keccak256("1"),
                block.chainid,
                address(this)
            )
        );
    }

    /// Whether `actor` may change `issuer`'s status bits now (the rules of the contract notice).
    function isAuthorized(address issuer, address actor) public view returns (bool) {
        address owner = didRegistry.owners(issuer);
        return owner != address(0)
            && (actor == owner || didRegistry.validDelegate(issuer, STATUS_DELEGATE_TYPE, actor));
    }

    function getStatus(address issuer, uint8 purpose, uint256 index) external view returns (bool) {
        return (words[issuer][purpose][index >> 8] >> (index & 0xff)) & 1 == 1;
    }

    /// 256 consecutive bits, for reading many statuses in one call.
    function getStatusWord(address issuer, uint8 purpose, uint256 wordIndex) external view returns (uint256) {
        return words[issuer][purpose][wordIndex];
    }

    function setStatus(address issuer, uint8 purpose, uint256 index, bool value) external {
        _checkChange(issuer, purpose, index, value);
        _checkWriter(issuer, msg.sender);
        _set(issuer, purpose, index, value, msg.sender);
    }

    /// Meta-transaction: `signer` (the issuer's owner or a `sigAuth` delegate) signed an EIP-712
    /// `SetStatus` message; anyone may submit it and pay the gas. Same rules as `setStatus`.
    function setStatusSigned(
        address issuer,
        uint8 purpose,
        uint256 index,
        bool value,
        address signer,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        if (block.timestamp > deadline) revert SignatureExpired(deadline);
        _checkChange(issuer, purpose, index, value);
        bytes32 digest = setStatusDigest(issuer, purpose, index, value, signer, deadline);
        address recovered = ecrecover(digest, v, r, s);
        if (recovered == address(0) || recovered != signer) revert BadSignature();
        _checkWriter(issuer, signer);
        nonces[signer]++;
        _set(issuer, purpose, index, value, signer);
    }

    /// The EIP-712 digest `signer` signs for `setStatusSigned`, at its current nonce.
    function setStatusDigest(
        address issuer,
        uint8 purpose,
        uint256 index,
        bool value,
        address signer,
        uint256 deadline
    ) public view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(SET_STATUS_TYPEHASH, issuer, purpose, index, value, signer, nonces[signer], deadline)
        );
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
    }

    /// The change itself must be allowed: a known purpose, and no clearing of a revocation.
    function _checkChange(address issuer, uint8 purpose, uint256 index, bool value) private pure {
        if (purpose > PURPOSE_SUSPENSION) revert UnknownPurpose(purpose);
        if (purpose == PURPOSE_REVOCATION && !value) revert RevocationIsPermanent(issuer, index);
    }

    /// `actor` must be the named owner of a live issuer or its valid `sigAuth` delegate.
    function _checkWriter(address issuer, address actor) private view {
        address owner = didRegistry.owners(issuer);
        if (owner == address(0)) revert IssuerHasNoOwner(issuer);
        if (actor != owner && !didRegistry.validDelegate(issuer, STATUS_DELEGATE_TYPE, actor)) {
            revert NotAuthorized(issuer, actor);
        }
    }

    function _set(address issuer, uint8 purpose, uint256 index, bool value, address actor) private {
        uint256 mask = uint256(1) << (index & 0xff);
        uint256 w = words[issuer][purpose][index >> 8];
        words[issuer][purpose][index >> 8] = value ? (w | mask) : (w & ~mask);
        emit StatusChanged(issuer, purpose, index, value, actor);
    }
}
