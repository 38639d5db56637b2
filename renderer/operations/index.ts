/** What other features embed: the live view of one operation, and a verification report. */
export { OperationView } from './OperationView';
export { VerificationReport } from './VerificationReport';
export { OperationResult, SnapshotLink } from './OperationResult';
export { StepList, StepProgress } from './StepList';
export { useOperationsStore } from './useOperationsStore';
