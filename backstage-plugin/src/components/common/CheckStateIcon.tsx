import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
} from '@backstage/core-components';
import { CheckState } from '../../api';

/** A check's state as a themed status dot and its word. */
export function CheckStateIcon(props: { state: CheckState }) {
  switch (props.state) {
    case 'pass':
      return <StatusOK>pass</StatusOK>;
    case 'fail':
      return <StatusError>fail</StatusError>;
    case 'exempt':
      return <StatusAborted>exempt</StatusAborted>;
    default:
      return <StatusPending>unknown</StatusPending>;
  }
}
