"""The DICOM de-identification profile as data: attribute keyword → action.

Source: DICOM PS3.15 Annex E, Table E.1-1 "Application Level Confidentiality Profile Attributes",
column "Basic Prof." (Basic Application Level Confidentiality Profile), with the column "Rtn.
Long. Modif. Dates Opt." (Retain Longitudinal Temporal Information with Modified Dates Option)
applied to the study / series / acquisition / content dates, because medllm shifts dates per
patient (the text de-id's shift) instead of removing them.

Subset: the attributes below (about 185 of the table's ~600 rows): every patient, person-name,
institution, device, request / procedure-step and free-text attribute that occurs in image IODs
(CT, MR, CR/DX, US, NM, PET, SC, SEG, RT), all instance / study / series / frame-of-reference UIDs,
and the main dates and times. Where the table allows a choice (X/Z, X/Z/D, Z/D) the choice is X
for Type 3 attributes and Z (or D) for Type 1 / 2 ones that image IODs require, so the output
stays a valid object.

Rows the subset does not list are covered by the fail-closed rules in `dicom_deid.py` (`rule_for`):
private tags, curves (50xx) and overlays (60xx) removed; any other person name (PN) removed, any
other UID (UI) remapped unless it is a registered DICOM UID (SOP classes, transfer syntaxes,
coding schemes), any other date (DA / DT) shifted, any other free text (LT / ST / UT) removed; and
an attribute in a PHI-bearing group (`PHI_GROUPS`) that is neither here nor in `CLINICAL` removed.

Actions:
  X remove; Z zero-length value; D a dummy value of the VR; K keep (sequences: items cleaned);
  U a keyed UID remap (same UID, same key → same new UID); S shift the date by the patient's
  days (Modified Dates option; a time of day is kept, the shift being whole days);
  P the patient's keyed pseudonym (a D dummy that is the same for one patient in every file and
  the same as the text de-id's pseudonym of that patient's id).
"""

from __future__ import annotations

# fmt: off
PROFILE: dict[str, str] = {
    # patient ------------------------------------------------------------------------------
    "PatientName": "P", "PatientID": "P", "IssuerOfPatientID": "X", "PatientBirthDate": "Z",
    "PatientBirthTime": "X", "PatientSex": "Z", "OtherPatientIDs": "X",
    "OtherPatientIDsSequence": "X", "OtherPatientNames": "X", "PatientBirthName": "X",
    "PatientAge": "X", "PatientSize": "X", "PatientWeight": "X", "PatientAddress": "X",
    "PatientMotherBirthName": "X", "MedicalRecordLocator": "X", "MilitaryRank": "X",
    "BranchOfService": "X", "InsurancePlanIdentification": "X",
    "PatientInsurancePlanCodeSequence": "X", "PatientPrimaryLanguageCodeSequence": "X",
    "CountryOfResidence": "X", "RegionOfResidence": "X", "PatientTelephoneNumbers": "X",
    "EthnicGroup": "X", "Occupation": "X", "SmokingStatus": "X",
    "AdditionalPatientHistory": "X", "PregnancyStatus": "X", "LastMenstrualDate": "X",
    "PatientReligiousPreference": "X", "PatientComments": "X", "MedicalAlerts": "X",
    "Allergies": "X", "PatientSexNeutered": "X", "ResponsiblePerson": "X",
    "ResponsibleOrganization": "X", "PatientState": "X", "ReferencedPatientSequence": "X",
    "PatientTransportArrangements": "X", "SpecialNeeds": "X",
    # study, visit, request ------------------------------------------------------------------
    "AccessionNumber": "Z", "StudyID": "Z", "StudyDescription": "X", "SeriesDescription": "X",
    "ReferringPhysicianName": "Z", "ReferringPhysicianAddress": "X",
    "ReferringPhysicianTelephoneNumbers": "X", "ReferringPhysicianIdentificationSequence": "X",
    "ConsultingPhysicianName": "X", "PhysiciansOfRecord": "X",
    "PhysiciansOfRecordIdentificationSequence": "X", "PerformingPhysicianName": "X",
    "PerformingPhysicianIdentificationSequence": "X", "NameOfPhysiciansReadingStudy": "X",
    "PhysiciansReadingStudyIdentificationSequence": "X", "OperatorsName": "X",
    "OperatorIdentificationSequence": "X", "AdmittingDiagnosesDescription": "X",
    "AdmittingDiagnosesCodeSequence": "X", "DerivationDescription": "X",
    "ReferencedStudySequence": "X", "ReferencedPerformedProcedureStepSequence": "X",
    "RequestingPhysician": "X", "RequestingService": "X", "RequestedProcedureDescription": "X",
    "RequestedContrastAgent": "X", "StudyComments": "X", "AdmissionID": "X",
    "CurrentPatientLocation": "X", "PatientInstitutionResidence": "X",
    "DischargeDiagnosisDescription": "X", "RequestAttributesSequence": "X",
    "RequestedProcedureID": "X", "ImagingServiceRequestComments": "X",
    "PlacerOrderNumberImagingServiceRequest": "Z", "FillerOrderNumberImagingServiceRequest": "Z",
    "ConfidentialityConstraintOnPatientDataDescription": "X", "ProcedureCodeSequence": "X",
    "ReasonForStudy": "X", "RequestedProcedureCodeSequence": "X",
    # procedure steps ----------------------------------------------------------------------
    "ScheduledPerformingPhysicianName": "X", "ScheduledProcedureStepDescription": "X",
    "ScheduledStepAttributesSequence": "X", "PerformedStationAETitle": "X",
    "PerformedStationName": "X", "PerformedLocation": "X",
    "PerformedProcedureStepStartDate": "X", "PerformedProcedureStepStartTime": "X",
    "PerformedProcedureStepEndDate": "X", "PerformedProcedureStepEndTime": "X",
    "PerformedProcedureStepID": "X", "PerformedProcedureStepDescription": "X",
    "CommentsOnThePerformedProcedureStep": "X", "AcquisitionContextSequence": "X",
    "PerformedProtocolCodeSequence": "X",
    # institution, equipment ----------------------------------------------------------------
    "InstitutionName": "X", "InstitutionAddress": "X", "InstitutionCodeSequence": "X",
    "InstitutionalDepartmentName": "X", "StationName": "X", "DeviceSerialNumber": "X",
    "PlateID": "X", "GeneratorID": "X", "CassetteID": "X", "GantryID": "X", "DetectorID": "X",
    "DateOfLastCalibration": "X", "TimeOfLastCalibration": "X", "ProtocolName": "X",
    "AcquisitionDeviceProcessingDescription": "X", "AcquisitionProtocolDescription": "X",
    "ContributionDescription": "X", "TimezoneOffsetFromUTC": "X",
    # free text and comments -------------------------------------------------------------------
    "ImageComments": "X", "TextComments": "X", "Arbitrary": "X", "TextString": "X",
    "FrameComments": "X", "InterpretationText": "X",
    # structured content (reports, presentation states), provenance of earlier edits --------
    "ContentSequence": "X", "VerifyingObserverSequence": "X", "VerifyingObserverName": "X",
    "VerifyingOrganization": "X", "AuthorObserverSequence": "X", "ParticipantSequence": "X",
    "CustodialOrganizationSequence": "X", "PersonName": "X", "ContentCreatorName": "Z",
    "OriginalAttributesSequence": "X", "ModifiedAttributesSequence": "X",
    "SpecimenAccessionNumber": "X", "ContainerIdentifier": "X", "SpecimenIdentifier": "X",
    # RT labels and names -----------------------------------------------------------------
    "RTPlanLabel": "D", "RTPlanName": "X", "RTPlanDescription": "X",
    "StructureSetLabel": "D", "StructureSetName": "X", "StructureSetDescription": "X",
    "ROIInterpreter": "X", "ReviewerName": "X",
    # UIDs -----------------------------------------------------------------------------------
    "SOPInstanceUID": "U", "StudyInstanceUID": "U", "SeriesInstanceUID": "U",
    "FrameOfReferenceUID": "U", "SynchronizationFrameOfReferenceUID": "U",
    "ReferencedSOPInstanceUID": "U", "ReferencedFrameOfReferenceUID": "U",
    "RelatedFrameOfReferenceUID": "U", "InstanceCreatorUID": "U", "DeviceUID": "U",
    "ConcatenationUID": "U", "DimensionOrganizationUID": "U", "PaletteColorLookupTableUID": "U",
    "LargePaletteColorLookupTableUID": "U", "StorageMediaFileSetUID": "U",
    "ReferencedSOPInstanceUIDInFile": "U", "IrradiationEventUID": "U", "UID": "U",
    "TransactionUID": "U", "FiducialUID": "U", "CreatorVersionUID": "U",
    "MediaStorageSOPInstanceUID": "U",
    # dates and times (Modified Dates option: dates shifted, times of day kept) -------------
    "StudyDate": "S", "SeriesDate": "S", "AcquisitionDate": "S", "ContentDate": "S",
    "InstanceCreationDate": "S", "AcquisitionDateTime": "S",
    "StudyTime": "K", "SeriesTime": "K", "AcquisitionTime": "K", "ContentTime": "K",
    "InstanceCreationTime": "K",
    # references: kept, their items cleaned (their UIDs remapped by the rows above) -------
    "ReferencedImageSequence": "K", "SourceImageSequence": "K", "ReferencedSeriesSequence": "K",
    "ReferencedInstanceSequence": "K", "DerivationImageSequence": "K",
    # file meta information (group 0002) ---------------------------------------------------
    "SourceApplicationEntityTitle": "X", "SendingApplicationEntityTitle": "X",
    "ReceivingApplicationEntityTitle": "X", "PrivateInformationCreatorUID": "X",
    "PrivateInformation": "X",
}

# Groups whose attributes are about the patient, the visit, the request or the people involved:
# an attribute here that neither PROFILE nor CLINICAL names is removed (fail closed).
# 0008 identification / study, 0010 patient, 0012 clinical trial, 0032 study (retired),
# 0038 visit, 0040 procedure step / SR, 0070 presentation state annotations, 0088 storage /
# topic, 0400 digital signatures, 4000 text, 4008 results (retired).
PHI_GROUPS = frozenset({
    0x0008, 0x0010, 0x0012, 0x0032, 0x0038, 0x0040, 0x0070, 0x0088, 0x0400, 0x4000, 0x4008,
})

# Attributes of those groups that are clinical or technical and kept (sequences: items cleaned).
CLINICAL = frozenset({
    "SpecificCharacterSet", "ImageType", "SOPClassUID", "Modality", "ModalitiesInStudy",
    "ConversionType", "PresentationIntentType", "Manufacturer", "ManufacturerModelName",
    "ReferencedSOPClassUID", "ReferencedFrameNumber", "AnatomicRegionSequence",
    "AnatomicRegionModifierSequence", "PrimaryAnatomicStructureSequence",
    "PrimaryAnatomicStructureModifierSequence", "CodeValue", "CodingSchemeDesignator",
    "CodingSchemeVersion", "CodeMeaning", "LongCodeValue", "URNCodeValue", "ContextIdentifier",
    "ContextUID", "MappingResource", "FrameType", "PixelPresentation", "VolumetricProperties",
    "VolumeBasedCalculationTechnique", "ComplexImageComponent", "AcquisitionContrast",
    "DerivationCodeSequence", "PurposeOfReferenceCodeSequence", "SOPClassesInStudy",
    "RealWorldValueMappingSequence", "LUTLabel", "RealWorldValueFirstValueMapped",
    "RealWorldValueLastValueMapped", "RealWorldValueLUTData", "RealWorldValueIntercept",
    "RealWorldValueSlope", "MeasurementUnitsCodeSequence", "ConceptNameCodeSequence",
    "QuantityDefinitionSequence", "ValueType", "IrradiationEventUID",
})
# fmt: on

# Every action PROFILE uses, with the words the manifest and the docs use for it.
ACTIONS: dict[str, str] = {
    "X": "removed",
    "Z": "emptied",
    "D": "dummy",
    "K": "kept",
    "U": "uid_remapped",
    "S": "date_shifted",
    "P": "patient_pseudonym",
}
