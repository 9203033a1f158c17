// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

/// The part of ERC-1056 this contract reads.
interface IEthereumDIDRegistry {
    function identityOwner(address identity) external view returns (address);
    function validDelegate(address identity, bytes32 delegateType, address delegate) external view returns (bool);
}

/// @title Siegel credential status registry
/// @notice Per-issuer status bits for credentials: for each issuer identity and purpose
///         (0 = revocation, 1 = suspension) a list of bits indexed by the credential's status index.
///         A bit may be changed only by the issuer identity's current owner or a valid `sigAuth`
///         delegate, as recorded in the ERC-1056 registry — directly, or through an EIP-712 signed
///         message relayed by anyone (the signature binds the chain id and this contract).
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

    function isAuthorized(address issuer, address actor) public view returns (bool) {
        return actor == didRegistry.identityOwner(issuer)
            || didRegistry.validDelegate(issuer, STATUS_DELEGATE_TYPE, actor);
    }

    function getStatus(address issuer, uint8 purpose, uint256 index) external view returns (bool) {
        return (words[issuer][purpose][index >> 8] >> (index & 0xff)) & 1 == 1;
    }

    /// 256 consecutive bits, for reading many statuses in one call.
    function getStatusWord(address issuer, uint8 purpose, uint256 wordIndex) external view returns (uint256) {
        return words[issuer][purpose][wordIndex];
    }

    function setStatus(address issuer, uint8 purpose, uint256 index, bool value) external {
        require(isAuthorized(issuer, msg.sender), "not_authorized");
        _set(issuer, purpose, index, value, msg.sender);
    }

    /// Meta-transaction: `signer` (the issuer's owner or a `sigAuth` delegate) signed an EIP-712
    /// `SetStatus` message; anyone may submit it and pay the gas.
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
        require(block.timestamp <= deadline, "expired");
        bytes32 digest = setStatusDigest(issuer, purpose, index, value, signer, deadline);
        address recovered = ecrecover(digest, v, r, s);
        require(recovered != address(0) && recovered == signer, "bad_signature");
        require(isAuthorized(issuer, signer), "not_authorized");
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

    function _set(address issuer, uint8 purpose, uint256 index, bool value, address actor) private {
        require(purpose <= PURPOSE_SUSPENSION, "bad_purpose");
        uint256 mask = uint256(1) << (index & 0xff);
        uint256 w = words[issuer][purpose][index >> 8];
        words[issuer][purpose][index >> 8] = value ? (w | mask) : (w & ~mask);
        emit StatusChanged(issuer, purpose, index, value, actor);
    }
}
